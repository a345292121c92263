//! What a citizen photo's public copy costs: a phone-sized JPEG (4032×3024, noisy enough to be
//! as large as a real one) through `photos::public_copy`, and each of its steps apart.
//!
//! `cargo run -p greenline-app --example public_copy_cost`

use std::time::Instant;

use greenline_app::photos::public_copy;
use greenline_domain::FileType;

fn main() {
    let (width, height) = (4032u32, 3024u32);
    let mut seed = 12_345u32;
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let noise = ((seed >> 16) & 31) as u8;
        image::Rgb([
            ((x / 16) % 200) as u8 + noise,
            ((y / 16) % 200) as u8 + noise,
            90 + noise,
        ])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode_image(&picture)
        .expect("encode");
    println!("original: {width}x{height} JPEG, {} bytes", jpeg.len());

    let started = Instant::now();
    let decoded = image::load_from_memory(&jpeg).expect("decode");
    println!("  decode: {:?}", started.elapsed());
    let started = Instant::now();
    let _ = decoded.resize(2048, 2048, image::imageops::FilterType::Triangle);
    println!("  shrink with a triangle filter: {:?}", started.elapsed());
    let started = Instant::now();
    let small = decoded.thumbnail(2048, 2048);
    println!("  shrink by area averaging (used): {:?}", started.elapsed());
    let started = Instant::now();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&small.to_rgb8())
        .expect("encode");
    println!("  encode: {:?}", started.elapsed());

    for _ in 0..3 {
        let started = Instant::now();
        let copy = public_copy(&jpeg, FileType::Jpeg)
            .expect("decodes")
            .expect("a copy");
        println!(
            "public copy: {} bytes in {:?}",
            copy.len(),
            started.elapsed()
        );
    }
}
