//! `path_*` functions of preview1: each resolves its path inside a directory descriptor
//! through the sandboxed filesystem core.

use super::fd::{set_times, write_filestat, R};
use super::memory::GuestMemory;
use super::state::{Descriptor, Kind, State};
use super::types::*;
use crate::fs::{OpenFlags, Opened};

fn follow(lookupflags: u32) -> bool {
    lookupflags & LOOKUP_SYMLINK_FOLLOW != 0
}

impl State {
    pub fn path_create_directory(&mut self, m: &mut GuestMemory<'_>, fd: u32, p: u32, l: u32) -> R {
        let path = m.str(p, l)?;
        Ok(self.dir(fd)?.create_dir(path)?)
    }

    pub fn path_filestat_get(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        flags: u32,
        p: u32,
        l: u32,
        buf: u32,
    ) -> R {
        let st = self.dir(fd)?.stat_at(m.str(p, l)?, follow(flags))?;
        write_filestat(m, buf, &st)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn path_filestat_set_times(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        flags: u32,
        p: u32,
        l: u32,
        atim: u64,
        mtim: u64,
        fst: u32,
    ) -> R {
        let (a, mt) = set_times(atim, mtim, fst)?;
        let path = m.str(p, l)?;
        Ok(self.dir(fd)?.set_times_at(path, follow(flags), a, mt)?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn path_link(
        &mut self,
        m: &mut GuestMemory<'_>,
        old_fd: u32,
        old_flags: u32,
        old_p: u32,
        old_l: u32,
        new_fd: u32,
        new_p: u32,
        new_l: u32,
    ) -> R {
        let old = m.str(old_p, old_l)?;
        let new = m.str(new_p, new_l)?;
        let new_dir = self.dir(new_fd)?;
        Ok(self
            .dir(old_fd)?
            .hard_link(old, follow(old_flags), new_dir, new)?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn path_open(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        dirflags: u32,
        p: u32,
        l: u32,
        oflags: u32,
        base: u64,
        inheriting: u64,
        fdflags: u32,
        opened_fd: u32,
    ) -> R {
        let path = m.str(p, l)?;
        let oflags = u16::try_from(oflags).map_err(|_| Errno::INVAL)?;
        let fdflags = u16::try_from(fdflags).map_err(|_| Errno::INVAL)?;
        if oflags & !0xf != 0 || fdflags & !0x1f != 0 {
            return Err(Errno::INVAL);
        }
        let parent = self.table.get(fd)?;
        let dir = match &parent.kind {
            Kind::Dir { dir, .. } => dir,
            _ => return Err(Errno::NOTDIR),
        };
        // Rights are tracked loosely: what the guest asks for decides the access mode
        // (as wasi-libc derives them from O_RDONLY/O_WRONLY), and the new descriptor
        // keeps what it asked for within what the directory may hand down.
        let write = base & rights::WRITE_ACCESS != 0 || fdflags & fdflags::APPEND != 0;
        let read = base & rights::READ_ACCESS != 0 || !write;
        let flags = OpenFlags {
            follow: follow(dirflags),
            create: oflags & oflags::CREAT != 0,
            exclusive: oflags & oflags::EXCL != 0,
            truncate: oflags & oflags::TRUNC != 0,
            directory: oflags & oflags::DIRECTORY != 0,
            read,
            write,
        };
        let read_only_mount = dir.is_read_only();
        let inherit = parent.inheriting;
        let desc = match dir.open(path, flags)? {
            Opened::File(file) => Descriptor {
                kind: Kind::File {
                    file,
                    read,
                    write,
                    read_only_mount,
                },
                base: base & inherit & rights::FILE,
                inheriting: inheriting & inherit,
                flags: fdflags,
            },
            Opened::Dir(dir) => Descriptor {
                kind: Kind::Dir { dir, preopen: None },
                base: base & inherit & rights::DIRECTORY,
                inheriting: inheriting & inherit,
                flags: fdflags,
            },
        };
        let new = self.table.push(desc)?;
        m.write_u32(opened_fd, new)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn path_readlink(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        p: u32,
        l: u32,
        buf: u32,
        buf_len: u32,
        bufused: u32,
    ) -> R {
        let target = self.dir(fd)?.read_link(m.str(p, l)?)?;
        let bytes = target.as_bytes();
        let n = bytes.len().min(buf_len as usize);
        m.write(buf, &bytes[..n])?;
        m.write_u32(bufused, n as u32)
    }

    pub fn path_remove_directory(&mut self, m: &mut GuestMemory<'_>, fd: u32, p: u32, l: u32) -> R {
        Ok(self.dir(fd)?.remove_dir(m.str(p, l)?)?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn path_rename(
        &mut self,
        m: &mut GuestMemory<'_>,
        fd: u32,
        old_p: u32,
        old_l: u32,
        new_fd: u32,
        new_p: u32,
        new_l: u32,
    ) -> R {
        let old = m.str(old_p, old_l)?;
        let new = m.str(new_p, new_l)?;
        let new_dir = self.dir(new_fd)?;
        Ok(self.dir(fd)?.rename(old, new_dir, new)?)
    }

    pub fn path_symlink(
        &mut self,
        m: &mut GuestMemory<'_>,
        old_p: u32,
        old_l: u32,
        fd: u32,
        new_p: u32,
        new_l: u32,
    ) -> R {
        let target = m.str(old_p, old_l)?;
        let path = m.str(new_p, new_l)?;
        Ok(self.dir(fd)?.symlink(target, path)?)
    }

    pub fn path_unlink_file(&mut self, m: &mut GuestMemory<'_>, fd: u32, p: u32, l: u32) -> R {
        Ok(self.dir(fd)?.unlink_file(m.str(p, l)?)?)
    }
}
