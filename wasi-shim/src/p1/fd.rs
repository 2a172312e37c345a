//! `fd_*` functions of preview1.

use super::memory::GuestMemory;
use super::state::{Descriptor, Kind, State};
use super::types::*;
use crate::fs::{set_file_times, Dir, Filestat, SetTime};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;

/// The result of every preview1 function body.
pub(crate) type R = Result<(), Errno>;

/// The most bytes one read or write moves; more is a short read or write, which POSIX
/// allows, and keeps a guest from making the host allocate many times its memory with
/// overlapping buffers.
const MAX_IO: usize = 16 << 20;

/// Writes a `filestat` at `ptr`.
pub(crate) fn write_filestat(m: &mut GuestMemory<'_>, ptr: u32, st: &Filestat) -> R {
    let mut b = [0u8; FILESTAT_SIZE];
    b[0..8].copy_from_slice(&st.dev.to_le_bytes());
    b[8..16].copy_from_slice(&st.ino.to_le_bytes());
    b[16] = filetype_of(st.kind);
    b[24..32].copy_from_slice(&st.nlink.to_le_bytes());
    b[32..40].copy_from_slice(&st.size.to_le_bytes());
    b[40..48].copy_from_slice(&st.atim.to_le_bytes());
    b[48..56].copy_from_slice(&st.mtim.to_le_bytes());
    b[56..64].copy_from_slice(&st.ctim.to_le_bytes());
    m.write(ptr, &b)
}

/// The two timestamps `fstflags` describe (`errno::inval` if a time is both given and
/// "now").
pub(crate) fn set_times(atim: u64, mtim: u64, fst: u32) -> Result<(SetTime, SetTime), Errno> {
    let fst = u16::try_from(fst).map_err(|_| Errno::INVAL)?;
    let pick = |t: u64, set: u16, now: u16| match (fst & set != 0, fst & now != 0) {
        (true, true) => Err(Errno::INVAL),
        (true, false) => Ok(SetTime::At(t)),
        (false, true) => Ok(SetTime::Now),
        (false, false) => Ok(SetTime::Keep),
    };
    if fst & !0xf != 0 {
        return Err(Errno::INVAL);
    }
    Ok((
        pick(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        pick(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    ))
}

fn total_len(iovs: &[(u32, u32)]) -> usize {
    iovs.iter()
        .fold(0usize, |n, &(_, len)| n.saturating_add(len as usize))
        .min(MAX_IO)
}

impl State {
    fn desc(&self, fd: u32) -> Result<&Descriptor, Errno> {
        Ok(self.table.get(fd)?)
    }

    fn desc_mut(&mut self, fd: u32) -> Result<&mut Descriptor, Errno> {
        Ok(self.table.get_mut(fd)?)
    }

    /// The directory `fd` names (`errno::notdir` for other descriptors).
    pub(crate) fn dir(&self, fd: u32) -> Result<&Dir, Errno> {
        match &self.desc(fd)?.kind {
            Kind::Dir { dir, .. } => Ok(dir),
            _ => Err(Errno::NOTDIR),
        }
    }

    pub fn fd_advise(&mut self, _m: &mut GuestMemory<'_>, fd: u32, _o: u64, _l: u64, a: u32) -> R {
        if a > 5 {
            return Err(Errno::INVAL);
        }
        match &self.desc(fd)?.kind {
            Kind::File { .. } => Ok(()),
            Kind::Dir { .. } => Err(Errno::BADF),
            _ => Err(Errno::SPIPE),
        }
    }

    pub fn fd_allocate(&mut self, _m: &mut GuestMemory<'_>, fd: u32, off: u64, len: u64) -> R {
        match &self.desc(fd)?.kind {
            Kind::File {
                file, write: true, ..
            } => {
                let end = off.checked_add(len).ok_or(Errno::FBIG)?;
                if end > file.metadata()?.len() {
                    file.set_len(end)?;
                }
                Ok(())
            }
            _ => Err(Errno::BADF),
        }
    }

    pub fn fd_close(&mut self, _m: &mut GuestMemory<'_>, fd: u32) -> R {
        self.table.remove(fd)?;
        Ok(())
    }

    fn sync(&mut self, fd: u32, data_only: bool) -> R {
        match &self.desc(fd)?.kind {
            Kind::File { file, .. } if data_only => Ok(file.sync_data()?),
            Kind::File { file, .. } => Ok(file.sync_all()?),
            Kind::Dir { .. } => Ok(()),
            _ => Err(Errno::INVAL),
        }
    }

    pub fn fd_datasync(&mut self, _m: &mut GuestMemory<'_>, fd: u32) -> R {
        self.sync(fd, true)
    }

    pub fn fd_sync(&mut self, _m: &mut GuestMemory<'_>, fd: u32) -> R {
        self.sync(fd, false)
    }

    pub fn fd_fdstat_get(&mut self, m: &mut GuestMemory<'_>, fd: u32, ptr: u32) -> R {
        let d = self.desc(fd)?;
        let mut b = [0u8; FDSTAT_SIZE];
        b[0] = d.filetype();
        b[2..4].copy_from_slice(&d.flags.to_le_bytes());
        b[8..16].copy_from_slice(&d.base.to_le_bytes());
        b[16..24].copy_from_slice(&d.inheriting.to_le_bytes());
        m.write(ptr, &b)
    }

    pub fn fd_fdstat_set_flags(&mut self, _m: &mut GuestMemory<'_>, fd: u32, flags: u32) -> R {
        let flags = u16::try_from(flags).map_err(|_| Errno::INVAL)?;
        if flags & !0x1f != 0 {
            return Err(Errno::INVAL);
        }
        let d = self.desc_mut(fd)?;
        if let Kind::Dir { .. } = d.kind {
            return Err(Errno::BADF);
        }
        // Append mode is carried out by `fd_write` itself (seek to the end first), so it
        // can be switched at any time; the sync flags need nothing more than a flush.
        d.flags = flags;
        Ok(())
    }

    pub fn fd_fdstat_set_rights(
        &mut self,
        _m: &mut GuestMemory<'_>,
        fd: u32,
        base: u64,
        inheriting: u64,
    ) -> R {
        let d = self.desc_mut(fd)?;
        if base & !d.base != 0 || inheriting & !d.inheriting != 0 {
            return Err(Errno::NOTCAPABLE);
        }
        d.base = base;
        d.inheriting = inheriting;
        Ok(())
    }

    pub fn fd_filestat_get(&mut self, m: &mut GuestMemory<'_>, fd: u32, ptr: u32) -> R {
        let st = match &self.desc(fd)?.kind {
            Kind::File { file, .. } => (&file.metadata()?).into(),
            Kind::Dir { dir, .. } => dir.stat()?,
            _ => Filestat {
                dev: 0,
                ino: 0,
                kind: crate::fs::FileKind::CharacterDevice,
                nlink: 0,
                size: 0,
                atim: 0,
                mtim: 0,
                ctim: 0,
            },
        };
        write_filestat(m, ptr, &st)
    }

    pub fn fd_filestat_set_size(&mut self, _m: &mut GuestMemory<'_>, fd: u32, size: u64) -> R {
        match &self.desc(fd)?.kind {
            Kind::File {
                file, write: true, ..
            } => Ok(file.set_len(size)?),
            Kind::Dir { .. } => Err(Errno::ISDIR),
            _ => Err(Errno::BADF),
        }
    }

    pub fn fd_filestat_set_times(
        &mut self,
        _m: &mut GuestMemory<'_>,
        fd: u32,
        atim: u64,
        mtim: u64,
        fst: u32,
    ) -> R {
        let (a, mt) = set_times(atim, mtim, fst)?;
        match &self.desc(fd)?.kind {
            Kind::File {
                read_only_mount: true,
                ..
            } => Err(Errno::PERM),
            Kind::File { file, .. } => Ok(set_file_times(file, a, mt)?),
            Kind::Dir { dir, .. } => Ok(dir.set_times(a, mt)?),
            _ => Err(Errno::BADF),
        }
    }

    pub fn fd_pread(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nread: u32,
    ) -> R {
        let iovs = m.iovecs(iovs, iovs_len)?;
        let mut buf = vec![0u8; total_len(&iovs)];
        let n = match &self.desc(fd)?.kind {
            Kind::File {
                file, read: true, ..
            } => {
                let mut n = 0;
                while n < buf.len() {
                    let at = offset.checked_add(n as u64).ok_or(Errno::INVAL)?;
                    match file.read_at(&mut buf[n..], at) {
                        Ok(0) => break,
                        Ok(k) => n += k,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                n
            }
            Kind::Dir { .. } => return Err(Errno::ISDIR),
            Kind::File { .. } => return Err(Errno::BADF),
            _ => return Err(Errno::SPIPE),
        };
        let n = m.scatter(&iovs, &buf[..n])?;
        m.write_u32(nread, n as u32)
    }

    pub fn fd_pwrite(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nwritten: u32,
    ) -> R {
        let mut data = m.gather(iovs, iovs_len)?;
        data.truncate(MAX_IO);
        match &self.desc(fd)?.kind {
            Kind::File {
                file, write: true, ..
            } => file.write_all_at(&data, offset)?,
            Kind::Dir { .. } => return Err(Errno::ISDIR),
            Kind::File { .. } => return Err(Errno::BADF),
            _ => return Err(Errno::SPIPE),
        }
        m.write_u32(nwritten, data.len() as u32)
    }

    pub fn fd_read(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nread: u32,
    ) -> R {
        let iovs = m.iovecs(iovs, iovs_len)?;
        let mut buf = vec![0u8; total_len(&iovs)];
        let n = match &mut self.table.get_mut(fd)?.kind {
            Kind::Stdin => self.stdin.read(&mut buf)?,
            Kind::File {
                file, read: true, ..
            } => file.read(&mut buf)?,
            Kind::Dir { .. } => return Err(Errno::ISDIR),
            _ => return Err(Errno::BADF),
        };
        let n = m.scatter(&iovs, &buf[..n])?;
        m.write_u32(nread, n as u32)
    }

    pub fn fd_write(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nwritten: u32,
    ) -> R {
        let mut data = m.gather(iovs, iovs_len)?;
        data.truncate(MAX_IO);
        let d = self.table.get_mut(fd)?;
        let append = d.flags & fdflags::APPEND != 0;
        match &mut d.kind {
            Kind::Stdout => self.stdout.write(&data, false)?,
            Kind::Stderr => self.stderr.write(&data, true)?,
            Kind::File {
                file, write: true, ..
            } => {
                if append {
                    file.seek(SeekFrom::End(0))?;
                }
                file.write_all(&data)?;
            }
            Kind::Dir { .. } => return Err(Errno::ISDIR),
            _ => return Err(Errno::BADF),
        }
        m.write_u32(nwritten, data.len() as u32)
    }

    pub fn fd_readdir(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        buf: u32,
        buf_len: u32,
        cookie: u64,
        bufused: u32,
    ) -> R {
        let dir = match &self.desc(fd)?.kind {
            Kind::Dir { dir, .. } => dir,
            _ => return Err(Errno::NOTDIR),
        };
        // Cookie `n` means "start at entry n" of this listing: ".", "..", then the
        // entries sorted by name; each dirent's `d_next` is its index plus one.
        let here = std::fs::metadata(dir.host_path())?;
        let parent_ino = std::fs::metadata(dir.host_path().join(".."))
            .map(|p| std::os::unix::fs::MetadataExt::ino(&p))
            .unwrap_or(0);
        let mut entries = vec![
            (
                ".".to_string(),
                std::os::unix::fs::MetadataExt::ino(&here),
                filetype::DIRECTORY,
            ),
            ("..".to_string(), parent_ino, filetype::DIRECTORY),
        ];
        for e in dir.read_dir()? {
            entries.push((e.name, e.ino, filetype_of(e.kind)));
        }
        let mut out: Vec<u8> = Vec::new();
        let start = usize::try_from(cookie).unwrap_or(usize::MAX);
        for (i, (name, ino, ty)) in entries.iter().enumerate().skip(start) {
            if out.len() >= buf_len as usize {
                break;
            }
            let mut d = [0u8; DIRENT_SIZE];
            d[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
            d[8..16].copy_from_slice(&ino.to_le_bytes());
            d[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
            d[20] = *ty;
            out.extend_from_slice(&d);
            out.extend_from_slice(name.as_bytes());
        }
        // A full buffer tells the guest to call again; the last entry may be cut short.
        out.truncate(buf_len as usize);
        m.write(buf, &out)?;
        m.write_u32(bufused, out.len() as u32)
    }

    pub fn fd_renumber(&mut self, _m: &mut GuestMemory<'_>, from: u32, to: u32) -> R {
        self.table.renumber(from, to)?;
        Ok(())
    }

    pub fn fd_seek(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        offset: u64,
        whence: u32,
        newoffset: u32,
    ) -> R {
        let offset = offset as i64;
        let pos = match whence {
            0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::INVAL)?),
            1 => SeekFrom::Current(offset),
            2 => SeekFrom::End(offset),
            _ => return Err(Errno::INVAL),
        };
        let new = match &mut self.desc_mut(fd)?.kind {
            Kind::File { file, .. } => file.seek(pos)?,
            Kind::Dir { .. } => return Err(Errno::BADF),
            _ => return Err(Errno::SPIPE),
        };
        m.write_u64(newoffset, new)
    }

    pub fn fd_tell(&mut self, m: &mut GuestMemory<'_>, fd: u32, ptr: u32) -> R {
        let pos = match &mut self.desc_mut(fd)?.kind {
            Kind::File { file, .. } => file.stream_position()?,
            Kind::Dir { .. } => return Err(Errno::BADF),
            _ => return Err(Errno::SPIPE),
        };
        m.write_u64(ptr, pos)
    }

    pub fn fd_prestat_get(&mut self, m: &mut GuestMemory<'_>, fd: u32, ptr: u32) -> R {
        match &self.desc(fd)?.kind {
            Kind::Dir {
                preopen: Some(name),
                ..
            } => {
                let mut b = [0u8; 8];
                b[0] = PREOPENTYPE_DIR;
                b[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
                m.write(ptr, &b)
            }
            _ => Err(Errno::BADF),
        }
    }

    pub fn fd_prestat_dir_name(&mut self, m: &mut GuestMemory<'_>, fd: u32, p: u32, len: u32) -> R {
        match &self.desc(fd)?.kind {
            Kind::Dir {
                preopen: Some(name),
                ..
            } => {
                if (len as usize) < name.len() {
                    return Err(Errno::NAMETOOLONG);
                }
                m.write(p, name.as_bytes())
            }
            _ => Err(Errno::BADF),
        }
    }
}
