//! The descriptor table: small integers handed to the guest, lowest free number first.

use super::error::{ErrorCode, Result};
use std::collections::BTreeMap;

/// Descriptors by number. Numbers are reused lowest-first, like POSIX `open`.
#[derive(Debug)]
pub struct Table<T> {
    entries: BTreeMap<u32, T>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            entries: BTreeMap::new(),
        }
    }
}

impl<T> Table<T> {
    /// An empty table.
    pub fn new() -> Table<T> {
        Table::default()
    }

    /// Adds `entry` under the lowest free number and returns it.
    pub fn push(&mut self, entry: T) -> Result<u32> {
        let mut n = 0u32;
        for &k in self.entries.keys() {
            if k != n {
                break;
            }
            n = n.checked_add(1).ok_or(ErrorCode::NoMemory)?;
        }
        self.entries.insert(n, entry);
        Ok(n)
    }

    /// The entry `n`.
    pub fn get(&self, n: u32) -> Result<&T> {
        self.entries.get(&n).ok_or(ErrorCode::BadDescriptor)
    }

    /// The entry `n`, mutably.
    pub fn get_mut(&mut self, n: u32) -> Result<&mut T> {
        self.entries.get_mut(&n).ok_or(ErrorCode::BadDescriptor)
    }

    /// Removes and returns entry `n`.
    pub fn remove(&mut self, n: u32) -> Result<T> {
        self.entries.remove(&n).ok_or(ErrorCode::BadDescriptor)
    }

    /// Moves entry `from` to number `to`, closing what `to` held. Both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<()> {
        if !self.entries.contains_key(&from) || !self.entries.contains_key(&to) {
            return Err(ErrorCode::BadDescriptor);
        }
        if from != to {
            let e = self.entries.remove(&from).expect("checked above");
            self.entries.insert(to, e);
        }
        Ok(())
    }

    /// All entries in number order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.entries.iter().map(|(k, v)| (*k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_free_number_first() {
        let mut t = Table::new();
        assert_eq!(t.push('a'), Ok(0));
        assert_eq!(t.push('b'), Ok(1));
        assert_eq!(t.push('c'), Ok(2));
        assert_eq!(t.remove(1), Ok('b'));
        assert_eq!(t.push('d'), Ok(1));
        assert_eq!(t.renumber(0, 2), Ok(()));
        assert_eq!(t.get(2), Ok(&'a'));
        assert_eq!(t.get(0), Err(ErrorCode::BadDescriptor));
        assert_eq!(t.renumber(0, 1), Err(ErrorCode::BadDescriptor));
    }
}
