//! Prints what the gazetteer makes of each line of standard input: the names found with their
//! candidates, and the region resolved.
//!
//!     echo 南京江宁大学城外面 | cargo run -p greenline-text --example locate

use std::io::BufRead;

use greenline_text::Gazetteer;

fn main() {
    let gazetteer = Gazetteer::shared();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let place = gazetteer.locate(&line);
        println!("{line}");
        for m in &place.mentions {
            let candidates: Vec<String> = m.candidates.iter().map(|c| c.to_string()).collect();
            println!("  {} → {}", m.text, candidates.join(" "));
        }
        println!(
            "  = {}",
            place.region.map(|r| r.to_string()).unwrap_or_default()
        );
    }
}
