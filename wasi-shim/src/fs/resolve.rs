//! Path resolution that never leaves its directory.
//!
//! The walk is openat-style: it starts at a directory the host chose (a preopen, or a
//! directory opened under one) and goes one component at a time. Every component it
//! descends into has been checked, with `symlink_metadata`, to be a real directory (not a
//! symbolic link) inside the walk so far, so the host path built from the component stack
//! is always inside the start directory. `..` pops that stack and may not pop past its
//! bottom; absolute paths are refused; symbolic links are read here (`read_link`) and
//! their targets walked on the same stack, with a hop limit, so a link can never point
//! the walk outside either.
//!
//! What is left to the caller is the final component: it is returned by name, and the
//! caller opens it with `O_NOFOLLOW` (or an operation that does not follow links), so a
//! link swapped in after the check is refused rather than followed.

use super::error::{ErrorCode, Result};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// How many symbolic links one resolution may expand before it fails with
/// [`ErrorCode::Loop`] (Linux's `MAXSYMLINKS`).
pub const MAX_SYMLINK_HOPS: usize = 40;

/// A path resolved inside a directory: the directories walked (each a real directory
/// below the start) and the final component, if the path does not name the start
/// directory or one of the walked directories itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Components from the start directory to the parent of `name`.
    pub dirs: Vec<String>,
    /// The final component, never `.` or `..`; `None` when the path names `dirs` itself
    /// (`.`, `a/..`, a link to `.`).
    pub name: Option<String>,
    /// The path ended in `/`, so its final component must be a directory.
    pub must_be_dir: bool,
}

impl Resolved {
    /// The host path of the directory `dirs` under `start`.
    pub fn parent_path(&self, start: &Path) -> PathBuf {
        let mut p = start.to_path_buf();
        p.extend(&self.dirs);
        p
    }

    /// The host path of what the path names.
    pub fn host_path(&self, start: &Path) -> PathBuf {
        let mut p = self.parent_path(start);
        if let Some(name) = &self.name {
            p.push(name);
        }
        p
    }
}

/// Checks a guest path: UTF-8 (guaranteed by `&str`), no NUL, not absolute.
pub fn check_path(path: &str) -> Result<()> {
    if path.contains('\0') {
        return Err(ErrorCode::IllegalSequence);
    }
    if path.starts_with('/') {
        return Err(ErrorCode::NotCapable);
    }
    Ok(())
}

/// Resolves `path` inside `start` (a host directory). Symbolic links in the middle of the
/// path are always followed (inside `start`); a symbolic link in the final position only
/// when `follow` is set or the path ends in `/`.
///
/// A missing final component is not an error (the caller may be about to create it); a
/// missing directory in the middle is [`ErrorCode::NoEntry`].
pub fn resolve(start: &Path, path: &str, follow: bool) -> Result<Resolved> {
    check_path(path)?;
    if path.is_empty() {
        return Err(ErrorCode::NoEntry);
    }
    let must_be_dir = path.ends_with('/');
    let follow = follow || must_be_dir;
    let mut pending: VecDeque<String> = components(path).collect();
    let mut dirs: Vec<String> = Vec::new();
    let mut hops = 0;
    let mut cur = start.to_path_buf();

    while let Some(comp) = pending.pop_front() {
        let is_last = pending.is_empty();
        if comp == ".." {
            if dirs.pop().is_none() {
                return Err(ErrorCode::NotCapable);
            }
            cur.pop();
            continue;
        }
        if is_last && !follow {
            return Ok(Resolved {
                dirs,
                name: Some(comp),
                must_be_dir,
            });
        }
        let candidate = cur.join(&comp);
        let meta = match std::fs::symlink_metadata(&candidate) {
            Ok(meta) => meta,
            Err(e) if is_last && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Resolved {
                    dirs,
                    name: Some(comp),
                    must_be_dir,
                })
            }
            Err(e) => return Err(e.into()),
        };
        let ty = meta.file_type();
        if ty.is_symlink() {
            hops += 1;
            if hops > MAX_SYMLINK_HOPS {
                return Err(ErrorCode::Loop);
            }
            let target = std::fs::read_link(&candidate)?;
            let target = target.to_str().ok_or(ErrorCode::IllegalSequence)?;
            if target.is_empty() {
                return Err(ErrorCode::NoEntry);
            }
            check_path(target)?;
            // The target's components are walked next, from the same directory stack.
            let comps: Vec<String> = components(target).collect();
            for c in comps.into_iter().rev() {
                pending.push_front(c);
            }
            continue;
        }
        if is_last {
            if must_be_dir && !ty.is_dir() {
                return Err(ErrorCode::NotDirectory);
            }
            return Ok(Resolved {
                dirs,
                name: Some(comp),
                must_be_dir,
            });
        }
        if !ty.is_dir() {
            return Err(ErrorCode::NotDirectory);
        }
        dirs.push(comp);
        cur = candidate;
    }
    Ok(Resolved {
        dirs,
        name: None,
        must_be_dir,
    })
}

/// The components of a relative path, without empty ones and `.`.
fn components(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
}

/// Whether a symbolic link target, placed in a link `depth` directories below the sandbox
/// root, stays inside it when read lexically. Used to refuse creating links that point out.
pub fn target_stays_inside(target: &str, depth: usize) -> bool {
    let mut depth = depth as isize;
    for c in components(target) {
        if c == ".." {
            depth -= 1;
            if depth < 0 {
                return false;
            }
        } else {
            depth += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tree() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("a/b")).unwrap();
        std::fs::write(t.path().join("a/f"), b"x").unwrap();
        symlink("b", t.path().join("a/to_b")).unwrap();
        symlink("../..", t.path().join("a/up2")).unwrap();
        symlink("/etc", t.path().join("abs")).unwrap();
        symlink("loop2", t.path().join("loop1")).unwrap();
        symlink("loop1", t.path().join("loop2")).unwrap();
        t
    }

    fn r(dirs: &[&str], name: Option<&str>) -> Resolved {
        Resolved {
            dirs: dirs.iter().map(|s| s.to_string()).collect(),
            name: name.map(str::to_string),
            must_be_dir: false,
        }
    }

    #[test]
    fn plain_paths() {
        let t = tree();
        let root = t.path();
        assert_eq!(resolve(root, "a/f", false).unwrap(), r(&["a"], Some("f")));
        assert_eq!(resolve(root, "./a//b/", true).unwrap().dirs, vec!["a"]);
        assert_eq!(resolve(root, ".", false).unwrap(), r(&[], None));
        assert_eq!(resolve(root, "a/b/..", false).unwrap(), r(&["a"], None));
        assert_eq!(
            resolve(root, "a/new", true).unwrap(),
            r(&["a"], Some("new"))
        );
        assert_eq!(resolve(root, "", false), Err(ErrorCode::NoEntry));
        assert_eq!(resolve(root, "x/y", false), Err(ErrorCode::NoEntry));
        assert_eq!(resolve(root, "a/f/y", false), Err(ErrorCode::NotDirectory));
    }

    #[test]
    fn escapes_are_refused() {
        let t = tree();
        let root = t.path();
        assert_eq!(resolve(root, "..", false), Err(ErrorCode::NotCapable));
        assert_eq!(
            resolve(root, "a/../../x", false),
            Err(ErrorCode::NotCapable)
        );
        assert_eq!(
            resolve(root, "/etc/passwd", true),
            Err(ErrorCode::NotCapable)
        );
        assert_eq!(
            resolve(root, "abs/passwd", false),
            Err(ErrorCode::NotCapable)
        );
        assert_eq!(resolve(root, "abs", true), Err(ErrorCode::NotCapable));
        assert_eq!(resolve(root, "a/up2/x", false), Err(ErrorCode::NotCapable));
        assert_eq!(
            resolve(root, "a\0b", false),
            Err(ErrorCode::IllegalSequence)
        );
        assert_eq!(resolve(root, "loop1", true), Err(ErrorCode::Loop));
        assert_eq!(resolve(root, "loop1/x", false), Err(ErrorCode::Loop));
    }

    #[test]
    fn final_links_follow_only_on_request() {
        let t = tree();
        let root = t.path();
        assert_eq!(resolve(root, "abs", false).unwrap(), r(&[], Some("abs")));
        assert_eq!(
            resolve(root, "a/to_b", false).unwrap(),
            r(&["a"], Some("to_b"))
        );
        assert_eq!(resolve(root, "a/to_b", true).unwrap(), r(&["a"], Some("b")));
        assert_eq!(
            resolve(root, "a/to_b/../f", false).unwrap(),
            r(&["a"], Some("f"))
        );
    }

    #[test]
    fn link_targets_checked_lexically() {
        assert!(target_stays_inside("b/c", 0));
        assert!(target_stays_inside("../x", 1));
        assert!(!target_stays_inside("../x", 0));
        assert!(!target_stays_inside("a/../../x", 0));
    }
}
