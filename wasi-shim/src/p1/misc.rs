//! Arguments, environment, clocks, polling and randomness.

use super::fd::R;
use super::memory::GuestMemory;
use super::state::{Kind, State};
use super::types::*;
use std::io::Read;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Writes `strings` as NUL-terminated C strings into `buf` and their addresses into
/// `ptrs` (`args_get`, `environ_get`).
fn write_strings(m: &mut GuestMemory<'_>, strings: &[String], ptrs: u32, buf: u32) -> R {
    let mut at = buf;
    for (i, s) in strings.iter().enumerate() {
        let slot = ptrs.checked_add(4 * i as u32).ok_or(Errno::FAULT)?;
        m.write_u32(slot, at)?;
        m.write(at, s.as_bytes())?;
        let end = at.checked_add(s.len() as u32).ok_or(Errno::FAULT)?;
        m.write(end, &[0])?;
        at = end.checked_add(1).ok_or(Errno::FAULT)?;
    }
    Ok(())
}

fn sizes(m: &mut GuestMemory<'_>, strings: &[String], count: u32, size: u32) -> R {
    let total: usize = strings.iter().map(|s| s.len() + 1).sum();
    m.write_u32(count, strings.len() as u32)?;
    m.write_u32(size, u32::try_from(total).map_err(|_| Errno::OVERFLOW)?)
}

/// One `subscription` of `poll_oneoff`, decoded.
enum Sub {
    Clock { userdata: u64, deadline: Instant },
    Ready { userdata: u64, ty: u8, error: Errno },
}

impl State {
    fn env_strings(&self) -> Vec<String> {
        self.env.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    pub fn args_get(&mut self, m: &mut GuestMemory<'_>, argv: u32, buf: u32) -> R {
        write_strings(m, &self.args, argv, buf)
    }

    pub fn args_sizes_get(&mut self, m: &mut GuestMemory<'_>, count: u32, size: u32) -> R {
        sizes(m, &self.args, count, size)
    }

    pub fn environ_get(&mut self, m: &mut GuestMemory<'_>, environ: u32, buf: u32) -> R {
        write_strings(m, &self.env_strings(), environ, buf)
    }

    pub fn environ_sizes_get(&mut self, m: &mut GuestMemory<'_>, count: u32, size: u32) -> R {
        sizes(m, &self.env_strings(), count, size)
    }

    /// Nanoseconds on clock `id`. CPU-time clocks are approximated by the time since the
    /// context was made: the guest runs on one host thread that the interpreter keeps
    /// busy, so wall time since start bounds its CPU time from above.
    fn now(&self, id: u32) -> Result<u64, Errno> {
        match id {
            clockid::REALTIME => Ok(SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)),
            clockid::MONOTONIC | clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => {
                Ok(self.start.elapsed().as_nanos() as u64)
            }
            _ => Err(Errno::INVAL),
        }
    }

    pub fn clock_res_get(&mut self, m: &mut GuestMemory<'_>, id: u32, ptr: u32) -> R {
        self.now(id)?;
        m.write_u64(ptr, 1)
    }

    pub fn clock_time_get(
        &mut self,
        m: &mut GuestMemory<'_>,
        id: u32,
        _precision: u64,
        ptr: u32,
    ) -> R {
        let t = self.now(id)?;
        m.write_u64(ptr, t)
    }

    pub fn random_get(&mut self, m: &mut GuestMemory<'_>, buf: u32, len: u32) -> R {
        let out = m.slice_mut(buf, len)?;
        std::fs::File::open("/dev/urandom")?.read_exact(out)?;
        Ok(())
    }

    fn clock_deadline(&self, id: u32, timeout: u64, flags: u16) -> Result<Instant, Errno> {
        let now = Instant::now();
        let wait = if flags & SUBCLOCK_ABSTIME != 0 {
            Duration::from_nanos(timeout.saturating_sub(self.now(id)?))
        } else {
            self.now(id)?;
            Duration::from_nanos(timeout)
        };
        Ok(now
            .checked_add(wait)
            .unwrap_or(now + Duration::from_secs(1 << 32)))
    }

    /// Clock subscriptions sleep until the earliest deadline; descriptor subscriptions
    /// are reported ready at once (reads and writes on files and stdio do not block for
    /// long).
    pub fn poll_oneoff(
        &mut self,
        m: &mut GuestMemory<'_>,
        input: u32,
        output: u32,
        nsubs: u32,
        nevents: u32,
    ) -> R {
        if nsubs == 0 {
            return Err(Errno::INVAL);
        }
        let mut subs = Vec::with_capacity(nsubs.min(1024) as usize);
        for i in 0..nsubs {
            // The whole subscription must be addressable, so the field offsets below
            // cannot overflow.
            let at = (i as u64 * SUBSCRIPTION_SIZE as u64)
                .checked_add(input as u64)
                .filter(|a| a + SUBSCRIPTION_SIZE as u64 <= u32::MAX as u64)
                .and_then(|a| u32::try_from(a).ok())
                .ok_or(Errno::FAULT)?;
            let userdata = m.read_u64(at)?;
            let tag = m.read_u8(at + 8)?;
            let sub = match tag {
                eventtype::CLOCK => {
                    let id = m.read_u32(at + 16)?;
                    let timeout = m.read_u64(at + 24)?;
                    let flags = m.read_u16(at + 40)?;
                    match self.clock_deadline(id, timeout, flags) {
                        Ok(deadline) => Sub::Clock { userdata, deadline },
                        Err(error) => Sub::Ready {
                            userdata,
                            ty: tag,
                            error,
                        },
                    }
                }
                eventtype::FD_READ | eventtype::FD_WRITE => {
                    let fd = m.read_u32(at + 16)?;
                    let error = match self.table.get(fd).map(|d| &d.kind) {
                        Ok(Kind::Dir { .. }) => Errno::BADF,
                        Ok(_) => Errno::SUCCESS,
                        Err(e) => e.into(),
                    };
                    Sub::Ready {
                        userdata,
                        ty: tag,
                        error,
                    }
                }
                _ => return Err(Errno::INVAL),
            };
            subs.push(sub);
        }
        let any_ready = subs.iter().any(|s| matches!(s, Sub::Ready { .. }));
        if !any_ready {
            let earliest = subs
                .iter()
                .filter_map(|s| match s {
                    Sub::Clock { deadline, .. } => Some(*deadline),
                    Sub::Ready { .. } => None,
                })
                .min()
                .expect("at least one subscription");
            let now = Instant::now();
            if earliest > now {
                std::thread::sleep(earliest - now);
            }
        }
        let now = Instant::now();
        let mut n = 0u32;
        for s in &subs {
            let (userdata, ty, error) = match *s {
                Sub::Clock { userdata, deadline } if deadline <= now => {
                    (userdata, eventtype::CLOCK, Errno::SUCCESS)
                }
                Sub::Clock { .. } => continue,
                Sub::Ready {
                    userdata,
                    ty,
                    error,
                } => (userdata, ty, error),
            };
            let mut e = [0u8; EVENT_SIZE];
            e[0..8].copy_from_slice(&userdata.to_le_bytes());
            e[8..10].copy_from_slice(&error.0.to_le_bytes());
            e[10] = ty;
            let at = (n as u64 * EVENT_SIZE as u64)
                .checked_add(output as u64)
                .and_then(|a| u32::try_from(a).ok())
                .ok_or(Errno::FAULT)?;
            m.write(at, &e)?;
            n += 1;
        }
        m.write_u32(nevents, n)
    }
}
