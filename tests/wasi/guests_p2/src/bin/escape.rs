//! Tries to leave the preopen `/data` in several ways and prints the errno of each
//! attempt (`name: errno N`) or `name: OPENED` if one succeeded.
use std::fs;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn path_symlink(old: *const u8, old_len: usize, fd: u32, new: *const u8, new_len: usize)
        -> i32;
}

/// `path_symlink` in the first preopen (descriptor 3, `/data`).
fn symlink(target: &str, link: &str) -> std::io::Result<()> {
    // SAFETY: both strings are valid for reads of their lengths.
    let errno =
        unsafe { path_symlink(target.as_ptr(), target.len(), 3, link.as_ptr(), link.len()) };
    match errno {
        0 => Ok(()),
        e => Err(std::io::Error::from_raw_os_error(e)),
    }
}

fn report(name: &str, r: std::io::Result<()>) {
    match r {
        Ok(()) => println!("{name}: OPENED"),
        Err(e) => println!("{name}: errno {}", e.raw_os_error().unwrap_or(-1)),
    }
}

fn main() {
    report("dotdot", fs::read("/data/../outside.txt").map(drop));
    report(
        "deep-dotdot",
        fs::read("/data/sub/../../outside.txt").map(drop),
    );
    report("etc-passwd", fs::read("/etc/passwd").map(drop));
    report("link-out", fs::read("/data/link_out").map(drop));
    report(
        "link-out-dir",
        fs::read("/data/link_dir/outside.txt").map(drop),
    );
    report("loop", fs::read("/data/loop_a").map(drop));
    report("create-out", fs::write("/data/../created.txt", b"x"));
    report(
        "rename-out",
        fs::rename("/data/inside.txt", "/data/../moved.txt"),
    );
    report(
        "hardlink-out",
        fs::hard_link("/data/inside.txt", "/data/../linked.txt"),
    );
    report("symlink-abs", symlink("/etc/passwd", "new_link"));
    report("symlink-up", symlink("../outside.txt", "new_link2"));
    println!("escape done");
}
