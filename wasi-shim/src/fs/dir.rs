//! Directories as capabilities: every operation takes a path relative to a [`Dir`] and
//! resolves it with [`resolve`](super::resolve::resolve), so it cannot reach outside.

use super::error::{ErrorCode, Result};
use super::resolve::{check_path, resolve, target_stays_inside, Resolved};
use super::stat::{set_file_times, DirEntry, Filestat, SetTime};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirEntryExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the guest may do under a preopened directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DirPerms {
    /// Read files and list directories; every change is refused with
    /// [`ErrorCode::NotPermitted`].
    ReadOnly,
    /// Read and change.
    #[default]
    ReadWrite,
}

/// A directory the guest holds: a host directory that was a real directory (not a link)
/// when it was reached, and the permissions of the mount it belongs to.
#[derive(Debug, Clone)]
pub struct Dir {
    path: Arc<PathBuf>,
    perms: DirPerms,
}

/// How to open a path: preview1 `oflags`/`lookupflags` and 0.2 `open-flags`/`path-flags`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenFlags {
    /// Follow a symbolic link in the final position (inside the directory).
    pub follow: bool,
    /// Create the file if it does not exist.
    pub create: bool,
    /// With `create`: fail if it exists.
    pub exclusive: bool,
    /// Truncate to length 0.
    pub truncate: bool,
    /// Fail unless it is a directory.
    pub directory: bool,
    /// Open for reading.
    pub read: bool,
    /// Open for writing.
    pub write: bool,
}

/// What [`Dir::open`] opened.
#[derive(Debug)]
pub enum Opened {
    /// A file (or device) and its handle.
    File(File),
    /// A directory, as a new capability.
    Dir(Dir),
}

impl Dir {
    /// A preopened directory: `host` must be a directory.
    pub fn open_ambient(host: impl AsRef<Path>, perms: DirPerms) -> std::io::Result<Dir> {
        let host = host.as_ref();
        let meta = std::fs::metadata(host)?;
        if !meta.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                format!("`{}` is not a directory", host.display()),
            ));
        }
        Ok(Dir {
            path: Arc::new(host.to_path_buf()),
            perms,
        })
    }

    /// The host path of this directory.
    pub fn host_path(&self) -> &Path {
        &self.path
    }

    /// The permissions of the mount.
    pub fn perms(&self) -> DirPerms {
        self.perms
    }

    fn child(&self, path: PathBuf) -> Dir {
        Dir {
            path: Arc::new(path),
            perms: self.perms,
        }
    }

    fn check_writable(&self) -> Result<()> {
        match self.perms {
            DirPerms::ReadOnly => Err(ErrorCode::NotPermitted),
            DirPerms::ReadWrite => Ok(()),
        }
    }

    /// Resolves `path` under this directory.
    pub fn resolve(&self, path: &str, follow: bool) -> Result<Resolved> {
        resolve(&self.path, path, follow)
    }

    /// Resolves a path that must name an entry (not `.` or `..`) and returns its host path.
    fn resolve_entry(&self, path: &str, follow: bool) -> Result<(Resolved, PathBuf)> {
        let r = self.resolve(path, follow)?;
        if r.name.is_none() {
            return Err(ErrorCode::Invalid);
        }
        let host = r.host_path(&self.path);
        Ok((r, host))
    }

    /// Opens `path`: a file, or a directory as a new [`Dir`].
    pub fn open(&self, path: &str, flags: OpenFlags) -> Result<Opened> {
        if flags.create || flags.truncate || flags.write {
            self.check_writable()?;
        }
        let r = self.resolve(path, flags.follow)?;
        let host = r.host_path(&self.path);
        if r.name.is_none() {
            // `.`, `a/..`: the directory itself, which exists and is a directory.
            if flags.create && flags.exclusive {
                return Err(ErrorCode::Exist);
            }
            if flags.write || flags.truncate {
                return Err(ErrorCode::IsDirectory);
            }
            return Ok(Opened::Dir(self.child(host)));
        }
        // The final component is opened without following links: a link the resolution
        // did not expand (not asked to follow) fails with ELOOP, as POSIX O_NOFOLLOW does.
        let mut custom = libc::O_NOFOLLOW;
        if flags.create {
            custom |= libc::O_CREAT;
        }
        if flags.create && flags.exclusive {
            custom |= libc::O_EXCL;
        }
        if flags.truncate {
            custom |= libc::O_TRUNC;
        }
        if flags.directory || r.must_be_dir {
            custom |= libc::O_DIRECTORY;
        }
        let file = OpenOptions::new()
            .read(flags.read || !flags.write)
            .write(flags.write)
            .custom_flags(custom)
            .mode(0o666)
            .open(&host)?;
        if file.metadata()?.is_dir() {
            if flags.write {
                return Err(ErrorCode::IsDirectory);
            }
            return Ok(Opened::Dir(self.child(host)));
        }
        if flags.directory {
            return Err(ErrorCode::NotDirectory);
        }
        Ok(Opened::File(file))
    }

    /// Creates the directory `path`.
    pub fn create_dir(&self, path: &str) -> Result<()> {
        self.check_writable()?;
        let r = self.resolve(path, false)?;
        if r.name.is_none() {
            return Err(ErrorCode::Exist);
        }
        std::fs::create_dir(r.host_path(&self.path))?;
        Ok(())
    }

    /// Removes the empty directory `path`.
    pub fn remove_dir(&self, path: &str) -> Result<()> {
        self.check_writable()?;
        let (_, host) = self.resolve_entry(path, false)?;
        std::fs::remove_dir(host)?;
        Ok(())
    }

    /// Removes the file (or link) `path`; never a directory.
    pub fn unlink_file(&self, path: &str) -> Result<()> {
        self.check_writable()?;
        let (r, host) = self.resolve_entry(path, false)?;
        let meta = std::fs::symlink_metadata(&host)?;
        if meta.is_dir() {
            return Err(ErrorCode::IsDirectory);
        }
        if r.must_be_dir {
            return Err(ErrorCode::NotDirectory);
        }
        std::fs::remove_file(host)?;
        Ok(())
    }

    /// Renames `old` (under `self`) to `new` (under `new_dir`). Links are not followed.
    pub fn rename(&self, old: &str, new_dir: &Dir, new: &str) -> Result<()> {
        self.check_writable()?;
        new_dir.check_writable()?;
        let (_, from) = self.resolve_entry(old, false)?;
        let (_, to) = new_dir.resolve_entry(new, false)?;
        std::fs::rename(from, to)?;
        Ok(())
    }

    /// Creates a hard link `new` (under `new_dir`) to `old` (under `self`), following a
    /// final link in `old` only if `follow`.
    pub fn hard_link(&self, old: &str, follow: bool, new_dir: &Dir, new: &str) -> Result<()> {
        new_dir.check_writable()?;
        let (_, from) = self.resolve_entry(old, follow)?;
        let (_, to) = new_dir.resolve_entry(new, false)?;
        std::fs::hard_link(from, to)?;
        Ok(())
    }

    /// Creates a symbolic link `path` whose target is `target`. Absolute targets and
    /// targets that climb out of this directory are refused with [`ErrorCode::NotCapable`].
    pub fn symlink(&self, target: &str, path: &str) -> Result<()> {
        self.check_writable()?;
        check_path(target)?;
        let (r, host) = self.resolve_entry(path, false)?;
        if !target_stays_inside(target, r.dirs.len()) {
            return Err(ErrorCode::NotCapable);
        }
        std::os::unix::fs::symlink(target, host)?;
        Ok(())
    }

    /// The target of the symbolic link `path`.
    pub fn read_link(&self, path: &str) -> Result<String> {
        let (_, host) = self.resolve_entry(path, false)?;
        let meta = std::fs::symlink_metadata(&host)?;
        if !meta.file_type().is_symlink() {
            return Err(ErrorCode::Invalid);
        }
        let target = std::fs::read_link(host)?;
        target
            .into_os_string()
            .into_string()
            .map_err(|_| ErrorCode::IllegalSequence)
    }

    /// Attributes of `path` (of the link itself unless `follow`).
    pub fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat> {
        let r = self.resolve(path, follow)?;
        let meta = std::fs::symlink_metadata(r.host_path(&self.path))?;
        if r.must_be_dir && !meta.is_dir() {
            return Err(ErrorCode::NotDirectory);
        }
        Ok((&meta).into())
    }

    /// Attributes of this directory.
    pub fn stat(&self) -> Result<Filestat> {
        Ok((&std::fs::metadata(&*self.path)?).into())
    }

    /// Sets the timestamps of `path` (of a symbolic link itself when `follow` is unset and
    /// the final component is a link).
    pub fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        atime: SetTime,
        mtime: SetTime,
    ) -> Result<()> {
        self.check_writable()?;
        let r = self.resolve(path, follow)?;
        let host = r.host_path(&self.path);
        if std::fs::symlink_metadata(&host)?.file_type().is_symlink() {
            super::stat::set_symlink_times(&host, atime, mtime)?;
            return Ok(());
        }
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&host)?;
        set_file_times(&file, atime, mtime)?;
        Ok(())
    }

    /// Sets the timestamps of this directory.
    pub fn set_times(&self, atime: SetTime, mtime: SetTime) -> Result<()> {
        self.check_writable()?;
        let file = File::open(&*self.path)?;
        set_file_times(&file, atime, mtime)?;
        Ok(())
    }

    /// The entries of this directory, sorted by name, without `.` and `..`. Names that
    /// are not UTF-8 are left out (WASI names are strings).
    pub fn read_dir(&self) -> Result<Vec<DirEntry>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&*self.path)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            out.push(DirEntry {
                name,
                ino: entry.ino(),
                kind: entry.file_type()?.into(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Whether writes are refused under this directory.
    pub fn is_read_only(&self) -> bool {
        self.perms == DirPerms::ReadOnly
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_times_on_a_symlink_itself() {
        use std::os::unix::fs::MetadataExt;
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("target"), "x").unwrap();
        std::os::unix::fs::symlink("target", root.join("link")).unwrap();
        let dir = Dir::open_ambient(&root, DirPerms::ReadWrite).unwrap();
        let target_mtime = std::fs::metadata(root.join("target")).unwrap().mtime();
        let ns = 1_000_000_000u64 * 1_000_000_000; // 2001-09-09
        dir.set_times_at("link", false, SetTime::Keep, SetTime::At(ns))
            .unwrap();
        let link = std::fs::symlink_metadata(root.join("link")).unwrap();
        assert_eq!(link.mtime(), 1_000_000_000);
        assert_eq!(
            std::fs::metadata(root.join("target")).unwrap().mtime(),
            target_mtime,
            "the target is untouched"
        );
        // Following the link sets the target's times instead.
        dir.set_times_at("link", true, SetTime::Keep, SetTime::At(ns))
            .unwrap();
        assert_eq!(
            std::fs::metadata(root.join("target")).unwrap().mtime(),
            1_000_000_000
        );
    }

    fn setup(perms: DirPerms) -> (tempfile::TempDir, Dir) {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("f"), "data").unwrap();
        std::fs::write(t.path().join("outside"), "secret").unwrap();
        std::os::unix::fs::symlink("../outside", root.join("out")).unwrap();
        let dir = Dir::open_ambient(&root, perms).unwrap();
        (t, dir)
    }

    fn read_flags() -> OpenFlags {
        OpenFlags {
            read: true,
            ..OpenFlags::default()
        }
    }

    #[test]
    fn open_files_and_directories() {
        let (_t, dir) = setup(DirPerms::ReadWrite);
        assert!(matches!(dir.open("f", read_flags()), Ok(Opened::File(_))));
        let Ok(Opened::Dir(sub)) = dir.open("sub", read_flags()) else {
            panic!("sub is a directory")
        };
        // The new directory is a sandbox of its own: `..` leaves it.
        assert_eq!(
            sub.stat_at("../f", false).err(),
            Some(ErrorCode::NotCapable)
        );
        assert!(matches!(dir.open(".", read_flags()), Ok(Opened::Dir(_))));
        let dir_only = OpenFlags {
            directory: true,
            ..read_flags()
        };
        assert_eq!(dir.open("f", dir_only).err(), Some(ErrorCode::NotDirectory));
        let create = OpenFlags {
            create: true,
            exclusive: true,
            write: true,
            ..OpenFlags::default()
        };
        assert!(matches!(dir.open("new", create), Ok(Opened::File(_))));
        assert_eq!(dir.open("new", create).err(), Some(ErrorCode::Exist));
        assert_eq!(dir.open("out", read_flags()).err(), Some(ErrorCode::Loop));
        let follow = OpenFlags {
            follow: true,
            ..read_flags()
        };
        assert_eq!(dir.open("out", follow).err(), Some(ErrorCode::NotCapable));
    }

    #[test]
    fn read_only_mount_refuses_every_change() {
        let (t, dir) = setup(DirPerms::ReadOnly);
        let write = OpenFlags {
            write: true,
            ..OpenFlags::default()
        };
        assert_eq!(dir.open("f", write).err(), Some(ErrorCode::NotPermitted));
        assert_eq!(dir.create_dir("d"), Err(ErrorCode::NotPermitted));
        assert_eq!(dir.remove_dir("sub"), Err(ErrorCode::NotPermitted));
        assert_eq!(dir.unlink_file("f"), Err(ErrorCode::NotPermitted));
        assert_eq!(dir.rename("f", &dir, "g"), Err(ErrorCode::NotPermitted));
        assert_eq!(
            dir.hard_link("f", false, &dir, "g"),
            Err(ErrorCode::NotPermitted)
        );
        assert_eq!(dir.symlink("f", "g"), Err(ErrorCode::NotPermitted));
        assert_eq!(
            dir.set_times_at("f", false, SetTime::Now, SetTime::Now),
            Err(ErrorCode::NotPermitted)
        );
        assert_eq!(
            std::fs::read_to_string(t.path().join("root/f")).unwrap(),
            "data"
        );
        // Reading is fine.
        assert_eq!(dir.read_link("out").unwrap(), "../outside");
        let names: Vec<String> = dir
            .read_dir()
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["f", "out", "sub"]);
    }

    #[test]
    fn changes_stay_inside() {
        let (t, dir) = setup(DirPerms::ReadWrite);
        assert_eq!(dir.rename("f", &dir, "../f"), Err(ErrorCode::NotCapable));
        assert_eq!(
            dir.hard_link("out", true, &dir, "g"),
            Err(ErrorCode::NotCapable)
        );
        assert_eq!(dir.symlink("../../x", "sub/l"), Err(ErrorCode::NotCapable));
        assert_eq!(dir.unlink_file("sub"), Err(ErrorCode::IsDirectory));
        assert_eq!(dir.unlink_file(".."), Err(ErrorCode::NotCapable));
        dir.create_dir("sub/d").unwrap();
        dir.rename("f", &dir, "sub/d/g").unwrap();
        dir.symlink("../f2", "sub/l").unwrap();
        assert_eq!(dir.stat_at("sub/d/g", false).unwrap().size, 4);
        assert_eq!(
            dir.stat_at("sub/l", false).unwrap().kind,
            super::super::FileKind::SymbolicLink
        );
        dir.unlink_file("sub/l").unwrap();
        dir.unlink_file("sub/d/g").unwrap();
        dir.remove_dir("sub/d").unwrap();
        assert_eq!(
            std::fs::read_to_string(t.path().join("outside")).unwrap(),
            "secret"
        );
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 2);
    }
}
