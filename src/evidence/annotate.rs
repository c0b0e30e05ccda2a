//! Annotated failure screenshots: a red box around the element the step was after, and a
//! header strip above the page saying when, where and why — so the PNG tells the whole story
//! when it is forwarded alone (to a manager, a vendor, a regulator).
//!
//! The strip is added *above* the screenshot: the page's own pixels are never painted over,
//! except by the box, so what the customer saw stays readable.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ImageEncoder, ImageFormat, Rgb, RgbImage};

/// DejaVu Sans (Bitstream Vera licence, see assets/fonts/LICENSE-DejaVu.txt): bundled so the
/// text renders the same on every machine, with Latin accents and `€`.
static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// What the header strip says.
#[derive(Debug, Clone)]
pub struct Header {
    /// When the step failed, already formatted (e.g. `2026-09-26 09:30:12 UTC`).
    pub time_utc: String,
    pub journey: String,
    /// 1-based index of the step in the journey's walk.
    pub step_index: usize,
    pub step_name: String,
    /// The page's URL when the step failed.
    pub url: Option<String>,
    /// The failure category (`outage`, `timeout`, …).
    pub category: String,
    /// The failure message, secrets already masked.
    pub message: String,
}

/// An element's rectangle in CSS pixels, as WebDriver reports it. At devicePixelRatio 1 (the
/// headless default) CSS pixels are the screenshot's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    #[error("could not read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the screenshot is not a readable PNG: {0}")]
    Decode(#[source] image::ImageError),
    #[error("could not encode the annotated screenshot: {0}")]
    Encode(#[source] image::ImageError),
    #[error("the screenshot is too large to annotate ({width}x{height})")]
    TooLarge { width: u32, height: u32 },
}

/// Thickness of the box around the target element, in pixels.
pub const BOX_WIDTH: u32 = 3;
/// The box colour: a red that stands out on white and on dark pages alike.
pub const BOX_COLOUR: Rgb<u8> = Rgb([230, 0, 18]);

/// The encoder settings (see BENCHMARKS.md for how they were chosen).
pub const COMPRESSION: CompressionType = CompressionType::Default;
pub const FILTER: FilterType = FilterType::NoFilter;

const STRIP_BG: Rgb<u8> = Rgb([32, 35, 40]);
const ACCENT: Rgb<u8> = BOX_COLOUR;
const TEXT: Rgb<u8> = Rgb([245, 246, 247]);
const MUTED: Rgb<u8> = Rgb([150, 157, 168]);
const VALUE: Rgb<u8> = Rgb([214, 218, 224]);
const ALERT: Rgb<u8> = Rgb([255, 120, 120]);

const PAD_X: f32 = 18.0;
const PAD_TOP: f32 = 12.0;
const ACCENT_WIDTH: u32 = 6;
/// (font size, line height) of the strip's lines, top to bottom.
const TITLE: (f32, f32) = (21.0, 30.0);
const BODY: (f32, f32) = (17.0, 25.0);
const DETAIL: (f32, f32) = (15.0, 22.0);
const PAD_BOTTOM: f32 = 10.0;
/// Width of the label column ("Journey", "URL", "Time") of the detail lines.
const LABEL_WIDTH: f32 = 72.0;

/// Most lines the title and the message may wrap onto before they are cut with `…`: enough
/// for a phone-sized screenshot (390 px wide) to still say what failed.
const TITLE_LINES: usize = 2;
const MESSAGE_LINES: usize = 3;

/// Where the annotated copy of `screenshot` is kept: `06-wait-for-sms.png` →
/// `06-wait-for-sms.annotated.png`, beside the raw one (which stays as captured).
pub fn annotated_path(screenshot: &Path) -> PathBuf {
    let stem = screenshot
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "screenshot".into());
    screenshot.with_file_name(format!("{stem}.annotated.png"))
}

/// Annotates the screenshot file `raw` and writes the copy at [`annotated_path`] beside it
/// (the raw file stays as captured). Returns the annotated file's path.
pub fn annotate_file(
    raw: &Path,
    header: &Header,
    target: Option<Rect>,
) -> Result<PathBuf, AnnotateError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AnnotateError::Io { path, source }
    };
    let png = std::fs::read(raw).map_err(io(raw))?;
    let bytes = annotate(&png, header, target)?;
    let out = annotated_path(raw);
    std::fs::write(&out, bytes).map_err(io(&out))?;
    Ok(out)
}

/// Decodes `png`, adds the header strip above it and a red box around `target` (clamped to
/// the image; no box when it lies wholly outside), and encodes the result as PNG.
pub fn annotate(
    png: &[u8],
    header: &Header,
    target: Option<Rect>,
) -> Result<Vec<u8>, AnnotateError> {
    let shot = image::load_from_memory_with_format(png, ImageFormat::Png)
        .map_err(AnnotateError::Decode)?
        .into_rgb8();
    let (width, height) = shot.dimensions();
    let lines = layout(width, header);
    let strip_height = height_of(&lines);
    let Some(total_height) = height.checked_add(strip_height) else {
        return Err(AnnotateError::TooLarge { width, height });
    };

    // The strip is drawn on its own small image and the page's rows are appended to it as
    // they are: a plain copy of bytes, which costs next to nothing.
    let mut strip = RgbImage::from_pixel(width, strip_height, STRIP_BG);
    draw_strip(&mut strip, &lines);
    let mut raw = strip.into_raw();
    raw.extend_from_slice(shot.as_raw());
    drop(shot);
    let mut out = RgbImage::from_raw(width, total_height, raw)
        .expect("strip and screenshot rows add up to the image's size");
    if let Some(rect) = target {
        draw_box(&mut out, rect, strip_height, height);
    }

    encode(&out, png.len())
}

/// PNG, written while the journey waits. Measured (BENCHMARKS.md): on screenshots — large flat
/// areas — unfiltered rows with the default deflate are both the fastest and the smallest of the
/// `image` crate's settings; `Fast` deflate is slower *and* 2–3× larger here.
fn encode(img: &RgbImage, size_hint: usize) -> Result<Vec<u8>, AnnotateError> {
    let mut bytes = Vec::with_capacity(size_hint + size_hint / 4);
    PngEncoder::new_with_quality(Cursor::new(&mut bytes), COMPRESSION, FILTER)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(AnnotateError::Encode)?;
    Ok(bytes)
}

fn fonts() -> &'static (FontRef<'static>, FontRef<'static>) {
    static FONTS: OnceLock<(FontRef<'static>, FontRef<'static>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        (
            FontRef::try_from_slice(REGULAR_TTF).expect("bundled DejaVuSans.ttf is a valid font"),
            FontRef::try_from_slice(BOLD_TTF).expect("bundled DejaVuSans-Bold.ttf is a valid font"),
        )
    })
}

/// Height in pixels of the header strip that [`annotate`] adds above a screenshot `width`
/// pixels wide: 5 lines, more when the title or the message wraps on a narrow screenshot.
pub fn strip_height(width: u32, header: &Header) -> u32 {
    height_of(&layout(width, header))
}

/// One line of the strip, already wrapped or cut to fit.
struct Line {
    bold: bool,
    size: f32,
    height: f32,
    colour: Rgb<u8>,
    /// A label in its own column ("Journey", "URL", "Time") before the text.
    label: Option<&'static str>,
    text: Vec<char>,
}

fn height_of(lines: &[Line]) -> u32 {
    (PAD_TOP + lines.iter().map(|l| l.height).sum::<f32>() + PAD_BOTTOM).ceil() as u32
}

fn layout(width: u32, h: &Header) -> Vec<Line> {
    let (regular, bold) = fonts();
    let max = (width as f32 - PAD_X * 2.0).max(1.0);
    let mut lines = Vec::new();
    let title = format!(
        "FAILED · {} · step {}: {}",
        h.category, h.step_index, h.step_name
    );
    let scaled = bold.as_scaled(PxScale::from(TITLE.0));
    for text in wrap(&scaled, &prepare(bold, &title), max, TITLE_LINES) {
        lines.push(Line {
            bold: true,
            size: TITLE.0,
            height: TITLE.1,
            colour: ALERT,
            label: None,
            text,
        });
    }
    let scaled = regular.as_scaled(PxScale::from(BODY.0));
    for text in wrap(&scaled, &prepare(regular, &h.message), max, MESSAGE_LINES) {
        lines.push(Line {
            bold: false,
            size: BODY.0,
            height: BODY.1,
            colour: TEXT,
            label: None,
            text,
        });
    }
    let scaled = regular.as_scaled(PxScale::from(DETAIL.0));
    let url = h.url.as_deref().unwrap_or("(unknown)");
    for (label, value) in [
        ("Journey", h.journey.as_str()),
        ("URL", url),
        ("Time", h.time_utc.as_str()),
    ] {
        let text = fit(&scaled, &prepare(regular, value), max - LABEL_WIDTH);
        lines.push(Line {
            bold: false,
            size: DETAIL.0,
            height: DETAIL.1,
            colour: VALUE,
            label: Some(label),
            text,
        });
    }
    lines
}

/// The characters of `text` as the strip shows them: control characters (newlines, tabs) as
/// spaces, and characters the font lacks (CJK, emoji) as `?` rather than empty boxes.
fn prepare(font: &FontRef, text: &str) -> Vec<char> {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .map(|c| if font.glyph_id(c).0 == 0 { '?' } else { c })
        .collect()
}

fn draw_strip(img: &mut RgbImage, lines: &[Line]) {
    let (regular, bold) = fonts();
    let (width, height) = img.dimensions();
    for y in 0..height {
        for x in 0..ACCENT_WIDTH.min(width) {
            img.put_pixel(x, y, ACCENT);
        }
    }
    // A thin rule between the strip and the page, so a white page does not melt into it.
    for x in 0..width {
        img.put_pixel(x, height - 1, ACCENT);
    }
    let mut y = PAD_TOP;
    for line in lines {
        y += line.height;
        // The baseline sits about a quarter line above the line's bottom: room for descenders.
        let baseline = y - line.height * 0.28;
        let font = if line.bold { bold } else { regular };
        let mut x = PAD_X;
        if let Some(label) = line.label {
            draw_text(
                img,
                font,
                line.size,
                MUTED,
                x,
                baseline,
                &label.chars().collect::<Vec<_>>(),
            );
            x += LABEL_WIDTH;
        }
        draw_text(img, font, line.size, line.colour, x, baseline, &line.text);
    }
}

/// Draws `text` (already fitted) with its baseline at `y`; pixels outside `img` are dropped.
fn draw_text(
    img: &mut RgbImage,
    font: &FontRef,
    size: f32,
    colour: Rgb<u8>,
    x: f32,
    y: f32,
    text: &[char],
) {
    let scaled = font.as_scaled(PxScale::from(size));
    let (w, h) = (i64::from(img.width()), i64::from(img.height()));
    let mut caret = x;
    let mut prev = None;
    for &c in text {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            caret += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(PxScale::from(size), ab_glyph::point(caret, y));
        caret += scaled.h_advance(id);
        prev = Some(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue; // spaces
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            if px < 0 || py < 0 || px >= w || py >= h {
                return;
            }
            let p = img.get_pixel_mut(px as u32, py as u32);
            let a = coverage.clamp(0.0, 1.0);
            for i in 0..3 {
                p.0[i] = (f32::from(p.0[i]) * (1.0 - a) + f32::from(colour.0[i]) * a).round() as u8;
            }
        });
    }
}

/// Breaks `chars` into at most `max_lines` lines of at most `max` pixels, at spaces where it
/// can (inside a word only when the word alone is too long); the last line is cut with `…`
/// when text remains.
fn wrap<F: Font>(
    font: &impl ScaleFont<F>,
    chars: &[char],
    max: f32,
    max_lines: usize,
) -> Vec<Vec<char>> {
    let trim_start = |s: &[char]| -> usize { s.iter().take_while(|c| c.is_whitespace()).count() };
    let mut lines = Vec::new();
    let mut rest = &chars[trim_start(chars)..];
    while !rest.is_empty() {
        if lines.len() + 1 >= max_lines || width_of(font, rest) <= max {
            lines.push(fit(font, rest, max));
            break;
        }
        let fits = longest_prefix(font, rest, max).max(1);
        // Break after the last space that fits, unless the next character is a space already.
        let cut = if rest.get(fits).is_some_and(|c| c.is_whitespace()) {
            fits
        } else {
            match rest[..fits].iter().rposition(|c| c.is_whitespace()) {
                Some(p) if p > 0 => p,
                _ => fits,
            }
        };
        let mut line = rest[..cut].to_vec();
        while line.last().is_some_and(|c| c.is_whitespace()) {
            line.pop();
        }
        lines.push(line);
        rest = &rest[cut..];
        rest = &rest[trim_start(rest)..];
    }
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    lines
}

/// How many leading characters of `chars` fit in `max` pixels.
fn longest_prefix<F: Font>(font: &impl ScaleFont<F>, chars: &[char], max: f32) -> usize {
    // Binary search on the prefix length: messages can be kilobytes long.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if width_of(font, &chars[..mid]) <= max {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

fn width_of<F: Font>(font: &impl ScaleFont<F>, chars: &[char]) -> f32 {
    let mut w = 0.0;
    let mut prev = None;
    for &c in chars {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            w += font.kern(p, id);
        }
        w += font.h_advance(id);
        prev = Some(id);
    }
    w
}

/// The longest prefix of `chars` that fits in `max` pixels, ending in `…` when cut.
fn fit<F: Font>(font: &impl ScaleFont<F>, chars: &[char], max: f32) -> Vec<char> {
    if width_of(font, chars) <= max {
        return chars.to_vec();
    }
    let ellipsis = width_of(font, &['…']);
    let lo = longest_prefix(font, chars, (max - ellipsis).max(0.0));
    let mut out: Vec<char> = chars[..lo].to_vec();
    while out.last().is_some_and(|c| c.is_whitespace()) {
        out.pop();
    }
    out.push('…');
    out
}

/// A `BOX_WIDTH` frame just outside `rect` (so the element itself stays visible), clamped to
/// the screenshot's area, which starts at `top` in `img`.
fn draw_box(img: &mut RgbImage, rect: Rect, top: u32, shot_height: u32) {
    if !(rect.x.is_finite()
        && rect.y.is_finite()
        && rect.width.is_finite()
        && rect.height.is_finite())
    {
        return;
    }
    let b = f64::from(BOX_WIDTH);
    let (w, h) = (f64::from(img.width()), f64::from(shot_height));
    let left = (rect.x - b).floor().max(0.0);
    let right = (rect.x + rect.width.max(0.0) + b).ceil().min(w);
    let upper = (rect.y - b).floor().max(0.0);
    let lower = (rect.y + rect.height.max(0.0) + b).ceil().min(h);
    if left >= right || upper >= lower {
        return; // wholly outside the viewport
    }
    let (left, right, upper, lower) = (left as u32, right as u32, upper as u32, lower as u32);
    for y in upper..lower {
        for x in left..right {
            let edge = x < left + BOX_WIDTH
                || x + BOX_WIDTH >= right
                || y < upper + BOX_WIDTH
                || y + BOX_WIDTH >= lower;
            if edge {
                img.put_pixel(x, y + top, BOX_COLOUR);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            time_utc: "2026-09-26 09:30:12 UTC".into(),
            journey: "card-balance".into(),
            step_index: 6,
            step_name: "wait for the SMS code".into(),
            url: Some("http://127.0.0.1:7878/otp".into()),
            category: "otp_not_received".into(),
            message: "no SMS to +393330000001 within 60s — città € ok".into(),
        }
    }

    /// A 200×120 screenshot with a gradient, so "unchanged" means something.
    fn screenshot() -> (RgbImage, Vec<u8>) {
        let img = RgbImage::from_fn(200, 120, |x, y| {
            Rgb([x as u8, y as u8, ((x + y) % 256) as u8])
        });
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(img.as_raw(), 200, 120, image::ExtendedColorType::Rgb8)
            .unwrap();
        (img, png)
    }

    fn decode(png: &[u8]) -> RgbImage {
        image::load_from_memory_with_format(png, ImageFormat::Png)
            .expect("annotated output decodes")
            .into_rgb8()
    }

    #[test]
    fn strip_is_added_above_and_page_pixels_are_kept() {
        let (orig, png) = screenshot();
        let sh = strip_height(200, &header());
        let out = decode(&annotate(&png, &header(), None).unwrap());
        assert_eq!(out.width(), 200);
        assert_eq!(out.height(), 120 + sh);
        for (x, y, p) in orig.enumerate_pixels() {
            assert_eq!(out.get_pixel(x, y + sh), p, "pixel {x},{y} changed");
        }
        // The strip has text on it: not every pixel is the background.
        let strip_pixels = (0..sh)
            .flat_map(|y| (ACCENT_WIDTH..200).map(move |x| (x, y)))
            .filter(|&(x, y)| *out.get_pixel(x, y) != STRIP_BG && *out.get_pixel(x, y) != ACCENT)
            .count();
        assert!(strip_pixels > 100, "no text drawn in the strip");
    }

    #[test]
    fn box_edges_are_red_and_the_rest_is_untouched() {
        let (orig, png) = screenshot();
        let sh = strip_height(200, &header());
        let rect = Rect {
            x: 50.0,
            y: 40.0,
            width: 60.0,
            height: 30.0,
        };
        let out = decode(&annotate(&png, &header(), Some(rect)).unwrap());
        let at = |x, y| *out.get_pixel(x, y + sh);
        // The frame lies just outside the element: x 47..113, y 37..73.
        for (x, y) in [(47, 37), (49, 50), (112, 72), (80, 37), (80, 72), (47, 72)] {
            assert_eq!(at(x, y), BOX_COLOUR, "{x},{y} should be on the box");
        }
        // The element itself and everything away from the frame are as captured.
        for (x, y) in [
            (50, 40),
            (80, 55),
            (109, 69),
            (10, 10),
            (150, 100),
            (46, 36),
            (113, 73),
        ] {
            assert_eq!(
                at(x, y),
                *orig.get_pixel(x, y),
                "{x},{y} should be unchanged"
            );
        }
    }

    #[test]
    fn box_is_clamped_to_the_image() {
        let (_, png) = screenshot();
        let sh = strip_height(200, &header());
        let rect = Rect {
            x: 180.0,
            y: 100.0,
            width: 500.0,
            height: 500.0,
        };
        let out = decode(&annotate(&png, &header(), Some(rect)).unwrap());
        assert_eq!(out.height(), 120 + sh);
        assert_eq!(*out.get_pixel(177, 97 + sh), BOX_COLOUR);
        assert_eq!(*out.get_pixel(199, 119 + sh), BOX_COLOUR);

        // Wholly outside (scrolled away): no box, no panic.
        let away = Rect {
            x: 10.0,
            y: 5000.0,
            width: 20.0,
            height: 20.0,
        };
        let (orig, png) = screenshot();
        let out = decode(&annotate(&png, &header(), Some(away)).unwrap());
        for (x, y, p) in orig.enumerate_pixels() {
            assert_eq!(out.get_pixel(x, y + sh), p);
        }
        // Nonsense numbers from a driver must not panic either.
        let nan = Rect {
            x: f64::NAN,
            y: 0.0,
            width: f64::INFINITY,
            height: -4.0,
        };
        annotate(&png, &header(), Some(nan)).unwrap();
    }

    #[test]
    fn not_a_png_is_an_error() {
        assert!(matches!(
            annotate(b"not a png", &header(), None),
            Err(AnnotateError::Decode(_))
        ));
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let (regular, _) = fonts();
        let scaled = regular.as_scaled(PxScale::from(17.0));
        let long: Vec<char> = "x".repeat(10_000).chars().collect();
        let cut = fit(&scaled, &long, 300.0);
        assert_eq!(cut.last(), Some(&'…'));
        assert!(width_of(&scaled, &cut) <= 300.0);
        let short: Vec<char> = "città €".chars().collect();
        assert_eq!(fit(&scaled, &short, 300.0), short);
    }

    #[test]
    fn the_annotated_file_is_written_beside_the_raw_one_which_stays() {
        let h = header();
        let sh = strip_height(200, &h);
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("11-view.png");
        std::fs::write(&raw, screenshot().1).unwrap();
        let out = annotate_file(&raw, &h, None).unwrap();
        assert_eq!(out, dir.path().join("11-view.annotated.png"));
        assert_eq!(decode(&std::fs::read(&out).unwrap()).height(), 120 + sh);
        assert_eq!(
            std::fs::read(&raw).unwrap(),
            screenshot().1,
            "raw screenshot changed"
        );
        assert!(matches!(
            annotate_file(&dir.path().join("gone.png"), &h, None),
            Err(AnnotateError::Io { .. })
        ));
    }

    #[test]
    fn narrow_screenshots_wrap_the_title_and_message() {
        let mut h = header();
        h.message = "expected /€\\s?[0-9.,]+/ in #balance, found \"Loading your balance…\" after waiting 15s for the page to settle, then gave up".into();
        let wide = strip_height(1280, &h);
        let narrow = strip_height(390, &h);
        assert!(narrow > wide, "{narrow} <= {wide}");
        // The wrapping is bounded: a kilobyte message does not make a poster.
        h.message = "word ".repeat(1000);
        assert!(strip_height(390, &h) <= narrow + BODY.1 as u32 * 3);

        let (regular, _) = fonts();
        let scaled = regular.as_scaled(PxScale::from(BODY.0));
        let text: Vec<char> = "the bank says it is experiencing temporary difficulties"
            .chars()
            .collect();
        let lines = wrap(&scaled, &text, 200.0, 3);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(width_of(&scaled, line) <= 200.0, "{line:?}");
            assert!(
                !line.first().unwrap().is_whitespace() && !line.last().unwrap().is_whitespace()
            );
        }
        // Words are kept whole when they fit.
        let joined: String = lines
            .iter()
            .map(|l| l.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            joined,
            "the bank says it is experiencing temporary difficulties"
        );
        // A word longer than the line is broken inside, and the last line cut with an ellipsis.
        let long: Vec<char> = "x".repeat(500).chars().collect();
        let lines = wrap(&scaled, &long, 100.0, 2);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].last(), Some(&'…'));

        // And it renders: a 390-wide phone screenshot is annotated with the taller strip.
        let img = RgbImage::from_pixel(390, 844, Rgb([255, 255, 255]));
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(img.as_raw(), 390, 844, image::ExtendedColorType::Rgb8)
            .unwrap();
        let out = decode(&annotate(&png, &h, None).unwrap());
        assert_eq!(out.height(), 844 + strip_height(390, &h));
    }

    #[test]
    fn annotated_copy_sits_beside_the_raw_one() {
        assert_eq!(
            annotated_path(Path::new("screenshots/r/j/06-wait-for-sms.png")),
            Path::new("screenshots/r/j/06-wait-for-sms.annotated.png")
        );
    }
}
