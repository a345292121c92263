//! The public copy of a citizen's photo: what anyone but the handling staff is shown.
//!
//! A phone's photo carries where it was taken (EXIF GPS), the phone's make, model and serial
//! number, the time, often an embedded thumbnail of the uncropped picture, XMP packets and
//! maker notes. Rather than cut the known segments out (which leaves whatever a format or a
//! maker hides elsewhere, e.g. bytes after the image's end), the photo is decoded to pixels
//! and written anew as a JPEG: nothing but the picture can come through. The EXIF orientation
//! is applied first, so the copy stands upright without its tag; the copy is scaled down to
//! [`PUBLIC_MAX_EDGE`] pixels on its long side, enough for a page and much smaller.
//!
//! HEIC (an iPhone's default) cannot be decoded here (no pure-Rust HEVC decoder): such a
//! photo is kept for the handling staff only and has no public copy.

use std::io::Cursor;

use greenline_domain::FileType;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

/// The long side of a public copy, in pixels, at most.
pub const PUBLIC_MAX_EDGE: u32 = 2048;
/// The JPEG quality of a public copy.
const PUBLIC_QUALITY: u8 = 85;
/// The largest picture decoded, on either side: a phone's 200-megapixel mode is 16 320 wide.
const MAX_EDGE_DECODED: u32 = 17_000;
/// The most memory one decode may take (a decompression bomb is refused, not decoded).
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Why a photo has no public copy.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The bytes claim a picture but do not decode as one (damaged, cut short, too large).
    #[error("the photo cannot be decoded: {0}")]
    Undecodable(#[from] image::ImageError),
}

/// The public copy of a photo of type `file_type`: a JPEG without any metadata, upright, at
/// most [`PUBLIC_MAX_EDGE`] pixels on its long side. `None` for a file that is not a picture
/// this build decodes (HEIC, videos).
pub fn public_copy(bytes: &[u8], file_type: FileType) -> Result<Option<Vec<u8>>, PhotoError> {
    let format = match file_type {
        FileType::Jpeg => image::ImageFormat::Jpeg,
        FileType::Png => image::ImageFormat::Png,
        FileType::Webp => image::ImageFormat::WebP,
        _ => return Ok(None),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_EDGE_DECODED);
    limits.max_image_height = Some(MAX_EDGE_DECODED);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut picture = DynamicImage::from_decoder(decoder)?;
    picture.apply_orientation(orientation);
    if picture.width().max(picture.height()) > PUBLIC_MAX_EDGE {
        // Area averaging: for shrinking, as good as a triangle filter and about three times
        // faster on a phone's 12-megapixel photo.
        picture = picture.thumbnail(PUBLIC_MAX_EDGE, PUBLIC_MAX_EDGE);
    }
    // JPEG has no transparency: a PNG's transparent parts become white, not black.
    let rgb = if picture.color().has_alpha() {
        let rgba = picture.to_rgba8();
        let mut flat = image::RgbImage::new(rgba.width(), rgba.height());
        for (out, px) in flat.pixels_mut().zip(rgba.pixels()) {
            let [r, g, b, a] = px.0;
            let over = |c: u8| {
                let (c, a) = (u32::from(c), u32::from(a));
                u8::try_from((c * a + 255 * (255 - a)) / 255).unwrap_or(u8::MAX)
            };
            *out = image::Rgb([over(r), over(g), over(b)]);
        }
        flat
    } else {
        picture.to_rgb8()
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, PUBLIC_QUALITY).encode_image(&rgb)?;
    Ok(Some(out))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An APP1 EXIF segment holding an orientation, a GPS position (31°14′N 121°28′E, the
    /// Bund), a camera make and model: what a phone writes into every photo.
    pub(crate) fn exif_segment(orientation: u16) -> Vec<u8> {
        // Little-endian TIFF: IFD0 with Make, Model, Orientation and the GPS IFD pointer; the
        // GPS IFD with latitude and longitude.
        let mut tiff: Vec<u8> = b"II*\0".to_vec();
        tiff.extend(8u32.to_le_bytes());
        let entries: u16 = 4;
        let ifd0_len = 2 + 12 * u32::from(entries) + 4;
        let make = b"PhoneMaker\0";
        let model = b"SecretPhone X\0";
        let make_at = 8 + ifd0_len;
        let model_at = make_at + make.len() as u32;
        let gps_at = model_at + model.len() as u32;
        let entry = |tag: u16, kind: u16, count: u32, value: u32| {
            let mut e = Vec::new();
            e.extend(tag.to_le_bytes());
            e.extend(kind.to_le_bytes());
            e.extend(count.to_le_bytes());
            e.extend(value.to_le_bytes());
            e
        };
        tiff.extend(entries.to_le_bytes());
        tiff.extend(entry(0x010F, 2, make.len() as u32, make_at));
        tiff.extend(entry(0x0110, 2, model.len() as u32, model_at));
        tiff.extend(entry(0x0112, 3, 1, u32::from(orientation)));
        tiff.extend(entry(0x8825, 4, 1, gps_at));
        tiff.extend(0u32.to_le_bytes());
        tiff.extend(make);
        tiff.extend(model);
        // GPS IFD: LatitudeRef, Latitude, LongitudeRef, Longitude.
        let gps_entries: u16 = 4;
        let gps_len = 2 + 12 * u32::from(gps_entries) + 4;
        let lat_at = gps_at + gps_len;
        let lon_at = lat_at + 24;
        tiff.extend(gps_entries.to_le_bytes());
        tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
        tiff.extend(entry(0x0002, 5, 3, lat_at));
        tiff.extend(entry(0x0003, 2, 2, u32::from_le_bytes(*b"E\0\0\0")));
        tiff.extend(entry(0x0004, 5, 3, lon_at));
        tiff.extend(0u32.to_le_bytes());
        for (num, den) in [
            (31u32, 1u32),
            (14, 1),
            (3012, 100),
            (121, 1),
            (28, 1),
            (5022, 100),
        ] {
            tiff.extend(num.to_le_bytes());
            tiff.extend(den.to_le_bytes());
        }
        let mut segment = vec![0xFF, 0xE1];
        let len = u16::try_from(2 + 6 + tiff.len()).expect("small");
        segment.extend(len.to_be_bytes());
        segment.extend(b"Exif\0\0");
        segment.extend(tiff);
        segment
    }

    /// A JPEG of `width`×`height` (left half red, right half blue) with the EXIF segment above
    /// and an XMP packet naming a place, inserted after SOI.
    pub(crate) fn jpeg_with_gps(width: u32, height: u32, orientation: u16) -> Vec<u8> {
        let picture = image::RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                image::Rgb([220, 20, 20])
            } else {
                image::Rgb([20, 20, 220])
            }
        });
        let mut plain = Vec::new();
        JpegEncoder::new_with_quality(&mut plain, 90)
            .encode_image(&picture)
            .expect("encodes");
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>31,14.502N</exif:GPSLatitude></x:xmpmeta>";
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend(u16::try_from(2 + xmp.len()).expect("small").to_be_bytes());
        app1.extend(xmp);
        let mut out = plain[..2].to_vec();
        out.extend(exif_segment(orientation));
        out.extend(app1);
        out.extend(&plain[2..]);
        out
    }

    /// Whether `bytes` hold any trace of the planted metadata.
    pub(crate) fn has_metadata(bytes: &[u8]) -> bool {
        let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        holds(b"Exif")
            || holds(b"PhoneMaker")
            || holds(b"SecretPhone")
            || holds(b"xmpmeta")
            || holds(b"GPSLatitude")
            || holds(b"http://ns.adobe.com")
    }

    #[test]
    fn the_public_copy_has_no_metadata_and_stands_upright() {
        // Orientation 6: the sensor's picture is to be turned 90° clockwise to be seen right.
        let original = jpeg_with_gps(64, 32, 6);
        assert!(
            has_metadata(&original),
            "the test photo carries what a phone writes"
        );
        let copy = public_copy(&original, FileType::Jpeg)
            .expect("decodes")
            .expect("a JPEG has a copy");
        assert!(!has_metadata(&copy));
        assert_eq!(FileType::sniff(&copy), Some(FileType::Jpeg));
        let seen = image::load_from_memory(&copy)
            .expect("the copy decodes")
            .to_rgb8();
        // Turned: 32 wide, 64 high, red (the original's left) now on top.
        assert_eq!((seen.width(), seen.height()), (32, 64));
        assert!(seen.get_pixel(16, 5).0[0] > 150 && seen.get_pixel(16, 5).0[2] < 100);
        assert!(seen.get_pixel(16, 58).0[2] > 150 && seen.get_pixel(16, 58).0[0] < 100);
    }

    #[test]
    fn large_photos_are_scaled_and_other_types_have_no_copy() {
        let big = jpeg_with_gps(3000, 1500, 1);
        let copy = public_copy(&big, FileType::Jpeg)
            .expect("ok")
            .expect("copy");
        let seen = image::load_from_memory(&copy).expect("decodes");
        assert_eq!(
            (seen.width(), seen.height()),
            (PUBLIC_MAX_EDGE, PUBLIC_MAX_EDGE / 2)
        );

        let mut png = Vec::new();
        image::RgbaImage::from_pixel(8, 8, image::Rgba([0, 0, 0, 0]))
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        let copy = public_copy(&png, FileType::Png).expect("ok").expect("copy");
        let seen = image::load_from_memory(&copy).expect("decodes").to_rgb8();
        assert!(
            seen.get_pixel(4, 4).0.iter().all(|c| *c > 240),
            "transparent is white"
        );

        let mut webp = Vec::new();
        image::RgbImage::from_pixel(12, 8, image::Rgb([10, 200, 30]))
            .write_to(&mut Cursor::new(&mut webp), image::ImageFormat::WebP)
            .expect("webp");
        assert_eq!(FileType::sniff(&webp), Some(FileType::Webp));
        let copy = public_copy(&webp, FileType::Webp)
            .expect("ok")
            .expect("copy");
        let seen = image::load_from_memory(&copy).expect("decodes");
        assert_eq!((seen.width(), seen.height()), (12, 8));

        assert!(
            public_copy(b"not a video", FileType::Mp4)
                .expect("ok")
                .is_none()
        );
        assert!(
            public_copy(b"\0\0\0\x18ftypheic", FileType::Heic)
                .expect("ok")
                .is_none()
        );
        // A JPEG's header with nothing after it is refused, not copied.
        assert!(public_copy(&big[..600], FileType::Jpeg).is_err());
    }
}
