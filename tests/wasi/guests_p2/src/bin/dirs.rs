//! Directory operations under `/data`: create, list, remove. Prints the listing.
use std::fs;

fn main() {
    fs::create_dir("/data/d").unwrap();
    fs::create_dir_all("/data/d/e/f").unwrap();
    for name in ["z.txt", "a.txt", "m.txt"] {
        fs::write(format!("/data/d/{name}"), name).unwrap();
    }
    let mut names: Vec<String> = fs::read_dir("/data/d")
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let kind = if e.file_type().unwrap().is_dir() {
                "/"
            } else {
                ""
            };
            format!("{}{kind}", e.file_name().to_str().unwrap())
        })
        .collect();
    names.sort();
    println!("list: {}", names.join(" "));

    let err = fs::create_dir("/data/d").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    let err = fs::remove_dir("/data/d").unwrap_err();
    println!("remove non-empty: errno {}", err.raw_os_error().unwrap());

    fs::remove_dir("/data/d/e/f").unwrap();
    fs::remove_dir_all("/data/d").unwrap();
    assert!(!fs::exists("/data/d").unwrap());
    println!("dirs ok");
}
