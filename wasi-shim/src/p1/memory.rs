//! Bounds-checked access to the guest's linear memory. Every pointer a guest passes goes
//! through here; a range outside memory is `errno::fault`, never a panic or a trap.

use super::types::{Errno, IOVEC_SIZE};

/// The guest's memory for the duration of one call.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    /// Wraps the bytes of a linear memory.
    pub fn new(bytes: &'a mut [u8]) -> GuestMemory<'a> {
        GuestMemory { bytes }
    }

    fn range(&self, ptr: u32, len: usize) -> Result<core::ops::Range<usize>, Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len).ok_or(Errno::FAULT)?;
        if end > self.bytes.len() {
            return Err(Errno::FAULT);
        }
        Ok(start..end)
    }

    /// `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let r = self.range(ptr, len as usize)?;
        Ok(&self.bytes[r])
    }

    /// `len` bytes at `ptr`, mutably.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let r = self.range(ptr, len as usize)?;
        Ok(&mut self.bytes[r])
    }

    /// Copies `data` to `ptr`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), Errno> {
        let r = self.range(ptr, data.len())?;
        self.bytes[r].copy_from_slice(data);
        Ok(())
    }

    /// A UTF-8 string of `len` bytes at `ptr` (`errno::ilseq` if it is not UTF-8).
    pub fn str(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::ILSEQ)
    }

    /// A little-endian `u32` at `ptr`.
    pub fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        let b = self.slice(ptr, 4)?;
        Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    /// A little-endian `u64` at `ptr`.
    pub fn read_u64(&self, ptr: u32) -> Result<u64, Errno> {
        let b = self.slice(ptr, 8)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    /// A little-endian `u16` at `ptr`.
    pub fn read_u16(&self, ptr: u32) -> Result<u16, Errno> {
        let b = self.slice(ptr, 2)?;
        Ok(u16::from_le_bytes(b.try_into().expect("2 bytes")))
    }

    /// A byte at `ptr`.
    pub fn read_u8(&self, ptr: u32) -> Result<u8, Errno> {
        Ok(self.slice(ptr, 1)?[0])
    }

    /// Stores a `u32` at `ptr`.
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Stores a `u64` at `ptr`.
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// The `(buf, buf_len)` pairs of an `iovec`/`ciovec` array, each checked to lie in
    /// memory.
    pub fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<(u32, u32)>, Errno> {
        let total = (count as usize)
            .checked_mul(IOVEC_SIZE)
            .ok_or(Errno::FAULT)?;
        self.range(ptr, total)?;
        let mut out = Vec::with_capacity(count as usize);
        for i in 0..count {
            let at = ptr + i * IOVEC_SIZE as u32;
            let buf = self.read_u32(at)?;
            let len = self.read_u32(at + 4)?;
            self.range(buf, len as usize)?;
            out.push((buf, len));
        }
        Ok(out)
    }

    /// The bytes of a `ciovec` array, concatenated.
    pub fn gather(&self, ptr: u32, count: u32) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        for (buf, len) in self.iovecs(ptr, count)? {
            out.extend_from_slice(self.slice(buf, len)?);
        }
        Ok(out)
    }

    /// Copies `data` into the buffers of an `iovec` array (already checked by
    /// [`GuestMemory::iovecs`]), in order; returns how many bytes were placed.
    pub fn scatter(&mut self, iovs: &[(u32, u32)], data: &[u8]) -> Result<usize, Errno> {
        let mut done = 0;
        for &(buf, len) in iovs {
            if done == data.len() {
                break;
            }
            let n = (len as usize).min(data.len() - done);
            self.write(buf, &data[done..done + n])?;
            done += n;
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_fault() {
        let mut bytes = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut bytes);
        assert_eq!(m.read_u32(12), Ok(0));
        assert_eq!(m.read_u32(13), Err(Errno::FAULT));
        assert_eq!(m.read_u64(u32::MAX), Err(Errno::FAULT));
        assert_eq!(m.write(15, b"ab"), Err(Errno::FAULT));
        assert_eq!(m.slice(16, 0).map(|s| s.len()), Ok(0));
        assert_eq!(m.iovecs(8, u32::MAX).err(), Some(Errno::FAULT));
        m.write_u32(0, 12).unwrap();
        m.write_u32(4, 8).unwrap(); // 12 + 8 > 16
        assert_eq!(m.iovecs(0, 1).err(), Some(Errno::FAULT));
    }
}
