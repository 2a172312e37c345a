//! Lists a directory (sorted, directories marked with `/`) and copies a file:
//! `ls_cp DIR SRC DST`. The task's acceptance program for `weft run --dir`.
use std::fs;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: ls_cp DIR SRC DST");
        std::process::exit(2);
    }
    let mut names: Vec<String> = fs::read_dir(&args[1])
        .expect("read_dir")
        .map(|e| {
            let e = e.expect("entry");
            let mut name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().expect("file type").is_dir() {
                name.push('/');
            }
            name
        })
        .collect();
    names.sort();
    for n in &names {
        println!("{n}");
    }
    let n = fs::copy(&args[2], &args[3]).expect("copy");
    println!("copied {n} bytes");
}
