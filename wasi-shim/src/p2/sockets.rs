//! `wasi:sockets/*`, present so that components importing them link: `instance-network`
//! gives a network, and every way to make a socket or look a name up fails with the
//! interface's `error-code` (`not-supported`; `permanent-resolver-failure` for lookups,
//! as wasmtime answers when lookups are not allowed). Methods of socket resources can
//! never be reached (no socket can be made), so they trap.

use super::state::Resource;
use super::vals::{case, err, own};
use super::{trap, Iface};
use weft_canon_abi::Result;

const TCP_METHODS: &[&str] = &[
    "start-bind",
    "finish-bind",
    "start-connect",
    "finish-connect",
    "start-listen",
    "finish-listen",
    "accept",
    "local-address",
    "remote-address",
    "is-listening",
    "address-family",
    "set-listen-backlog-size",
    "keep-alive-enabled",
    "set-keep-alive-enabled",
    "keep-alive-idle-time",
    "set-keep-alive-idle-time",
    "keep-alive-interval",
    "set-keep-alive-interval",
    "keep-alive-count",
    "set-keep-alive-count",
    "hop-limit",
    "set-hop-limit",
    "receive-buffer-size",
    "set-receive-buffer-size",
    "send-buffer-size",
    "set-send-buffer-size",
    "subscribe",
    "shutdown",
];

const UDP_METHODS: &[(&str, &str)] = &[
    ("udp-socket", "start-bind"),
    ("udp-socket", "finish-bind"),
    ("udp-socket", "stream"),
    ("udp-socket", "local-address"),
    ("udp-socket", "remote-address"),
    ("udp-socket", "address-family"),
    ("udp-socket", "unicast-hop-limit"),
    ("udp-socket", "set-unicast-hop-limit"),
    ("udp-socket", "receive-buffer-size"),
    ("udp-socket", "set-receive-buffer-size"),
    ("udp-socket", "send-buffer-size"),
    ("udp-socket", "set-send-buffer-size"),
    ("udp-socket", "subscribe"),
    ("incoming-datagram-stream", "receive"),
    ("incoming-datagram-stream", "subscribe"),
    ("outgoing-datagram-stream", "check-send"),
    ("outgoing-datagram-stream", "send"),
    ("outgoing-datagram-stream", "subscribe"),
];

pub(crate) fn network<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().network.clone();
    i.resource("network", &ty)?;
    Ok(())
}

pub(crate) fn instance_network<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().network.clone();
    i.resource("network", &ty)?
        .func("instance-network", |ctx, t, _| {
            Ok(own(&t.network, ctx.p2.push(Resource::Network)))
        })?;
    Ok(())
}

pub(crate) fn tcp<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let t = i.types();
    let tys = [
        ("tcp-socket", t.tcp_socket.clone()),
        ("network", t.network.clone()),
        ("input-stream", t.input.clone()),
        ("output-stream", t.output.clone()),
        ("pollable", t.pollable.clone()),
    ];
    for (name, ty) in &tys {
        i.resource(name, ty)?;
    }
    for m in TCP_METHODS {
        i.func(&format!("[method]tcp-socket.{m}"), |_, _, _| {
            trap("wasi:sockets: no tcp-socket can exist")
        })?;
    }
    Ok(())
}

pub(crate) fn tcp_create_socket<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let t = i.types();
    let (tcp, net) = (t.tcp_socket.clone(), t.network.clone());
    i.resource("tcp-socket", &tcp)?
        .resource("network", &net)?
        .func("create-tcp-socket", |_, _, _| {
            Ok(err(case("not-supported")))
        })?;
    Ok(())
}

pub(crate) fn udp<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let t = i.types();
    let tys = [
        ("udp-socket", t.udp_socket.clone()),
        (
            "incoming-datagram-stream",
            t.incoming_datagram_stream.clone(),
        ),
        (
            "outgoing-datagram-stream",
            t.outgoing_datagram_stream.clone(),
        ),
        ("network", t.network.clone()),
        ("pollable", t.pollable.clone()),
    ];
    for (name, ty) in &tys {
        i.resource(name, ty)?;
    }
    for (r, m) in UDP_METHODS {
        i.func(&format!("[method]{r}.{m}"), |_, _, _| {
            trap("wasi:sockets: no udp-socket can exist")
        })?;
    }
    Ok(())
}

pub(crate) fn udp_create_socket<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let t = i.types();
    let (udp, net) = (t.udp_socket.clone(), t.network.clone());
    i.resource("udp-socket", &udp)?
        .resource("network", &net)?
        .func("create-udp-socket", |_, _, _| {
            Ok(err(case("not-supported")))
        })?;
    Ok(())
}

pub(crate) fn ip_name_lookup<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let t = i.types();
    let (stream, net, poll) = (
        t.resolve_address_stream.clone(),
        t.network.clone(),
        t.pollable.clone(),
    );
    i.resource("resolve-address-stream", &stream)?
        .resource("network", &net)?
        .resource("pollable", &poll)?
        .func("resolve-addresses", |_, _, _| {
            Ok(err(case("permanent-resolver-failure")))
        })?;
    for m in ["resolve-next-address", "subscribe"] {
        i.func(&format!("[method]resolve-address-stream.{m}"), |_, _, _| {
            trap("wasi:sockets: no resolve-address-stream can exist")
        })?;
    }
    Ok(())
}
