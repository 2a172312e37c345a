//! Prints its arguments (`arg[i]=...`) and its environment (`env K=V`, sorted).
fn main() {
    for (i, a) in std::env::args().enumerate() {
        println!("arg[{i}]={a}");
    }
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    for (k, v) in vars {
        println!("env {k}={v}");
    }
}
