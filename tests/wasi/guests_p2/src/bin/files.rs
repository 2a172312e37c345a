//! File operations under the preopen `/data`: create, write, read, seek, stat, append,
//! truncate, rename, unlink. Prints one line per step and `files ok` at the end.
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};

fn main() {
    let a = "/data/a.txt";
    let mut f = File::create(a).unwrap();
    f.write_all(b"hello file").unwrap();
    drop(f);
    println!("created");

    let mut s = String::new();
    File::open(a).unwrap().read_to_string(&mut s).unwrap();
    assert_eq!(s, "hello file");
    println!("read: {s}");

    let mut f = File::open(a).unwrap();
    assert_eq!(f.seek(SeekFrom::Start(6)).unwrap(), 6);
    let mut tail = String::new();
    f.read_to_string(&mut tail).unwrap();
    assert_eq!(tail, "file");
    assert_eq!(f.seek(SeekFrom::End(-4)).unwrap(), 6);
    assert_eq!(f.stream_position().unwrap(), 6);
    println!("seek ok");

    let meta = fs::metadata(a).unwrap();
    assert!(meta.is_file());
    assert_eq!(meta.len(), 10);
    println!("size: {}", meta.len());

    let mut f = OpenOptions::new().append(true).open(a).unwrap();
    f.write_all(b"!!").unwrap();
    drop(f);
    assert_eq!(fs::read_to_string(a).unwrap(), "hello file!!");
    println!("append ok");

    let f = OpenOptions::new().write(true).open(a).unwrap();
    f.set_len(5).unwrap();
    drop(f);
    assert_eq!(fs::read_to_string(a).unwrap(), "hello");
    println!("truncate ok");

    fs::rename(a, "/data/b.txt").unwrap();
    assert!(!fs::exists(a).unwrap());
    assert_eq!(fs::read_to_string("/data/b.txt").unwrap(), "hello");
    println!("rename ok");

    // Writing to a file opened read-only fails.
    let mut ro = File::open("/data/b.txt").unwrap();
    assert!(ro.write_all(b"x").is_err());

    fs::remove_file("/data/b.txt").unwrap();
    let err = fs::metadata("/data/b.txt").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    println!("unlink ok");
    println!("files ok");
}
