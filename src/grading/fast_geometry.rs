//! The common answer `{"geometry": {"type": …, "coordinates": …}}` read straight from its bytes.
//! Building and walking a serde_json tree of 2 000 numbers was a fifth of a 1 000-vertex
//! `draw_polygon` grade (one small allocation per position, a correctly rounded but general
//! float parser). This reader accepts only well-formed answers as browsers write them (no
//! escapes, no exponents, no other members) and returns `None` for anything else, so that the
//! strict reader (`json` + `geometry`) handles every other document and every error message
//! still comes from one place. For what it accepts it returns exactly what the strict
//! reader would; a differential test holds it to that.

use geo::Coord;

use super::geometry::{GeomType, Raw, RawGeometry};
use super::json::MAX_VALUES;

/// Reads `{"geometry": G}` where G is a GeoJSON geometry of one of the `allowed` types with
/// exactly the members `type` and `coordinates`. `path` is the geometry's JSON path.
pub(crate) fn read(bytes: &[u8], allowed: &[&str], path: &str) -> Option<RawGeometry> {
    let mut r = Reader {
        bytes,
        at: 0,
        values: 0,
    };
    r.byte(b'{')?;
    r.key(b"geometry")?;
    r.byte(b'{')?;
    let mut name = None;
    let mut coordinates = None;
    for member in 0..2 {
        if member == 1 {
            r.byte(b',')?;
        }
        match r.string()? {
            b"type" if name.is_none() => {
                r.byte(b':')?;
                name = Some(r.string()?);
            }
            b"coordinates" if coordinates.is_none() => {
                r.byte(b':')?;
                coordinates = Some(r.nested(0)?);
            }
            _ => return None,
        }
    }
    r.byte(b'}')?;
    r.byte(b'}')?;
    r.skip_whitespace();
    // The strict reader counts the root object, the geometry object and the type string too.
    if r.at != bytes.len() || r.values + 3 > MAX_VALUES {
        return None;
    }
    let gt = GeomType::from_name(std::str::from_utf8(name?).ok()?)?;
    if !allowed.contains(&gt.name()) {
        return None;
    }
    let c = coordinates?;
    let raw = match gt {
        GeomType::Point => Raw::Point(c.position()?),
        GeomType::LineString => Raw::Line(c.positions()?),
        GeomType::Polygon => Raw::Polygon(c.list(Nested::positions)?),
        GeomType::MultiLineString => Raw::MultiLine(c.list(Nested::positions)?),
        GeomType::MultiPolygon => Raw::MultiPolygon(c.list(|p| p.list(Nested::positions))?),
    };
    Some(RawGeometry {
        feature: None,
        path: path.to_owned(),
        raw,
    })
}

/// Coordinates before their type is known (`coordinates` may come first in the object).
enum Nested {
    Position(Coord),
    /// A list whose first item is a position, read straight into coordinates (a ring or a line;
    /// a list of `Nested` converted afterwards was one more allocation and copy per ring).
    Positions(Vec<Coord>),
    /// Any other list: empty, or of lists.
    List(Vec<Nested>),
}

impl Nested {
    fn position(self) -> Option<Coord> {
        match self {
            Nested::Position(c) => Some(c),
            Nested::Positions(_) | Nested::List(_) => None,
        }
    }

    /// A list of lists (`Positions` holds positions, which are no lists).
    fn list<T>(self, item: impl FnMut(Nested) -> Option<T>) -> Option<Vec<T>> {
        match self {
            Nested::List(items) => items.into_iter().map(item).collect(),
            Nested::Position(_) | Nested::Positions(_) => None,
        }
    }

    fn positions(self) -> Option<Vec<Coord>> {
        match self {
            Nested::Positions(coords) => Some(coords),
            // A `List` starts with a list, so only an empty one is a list of positions.
            Nested::List(items) if items.is_empty() => Some(Vec::new()),
            Nested::List(_) | Nested::Position(_) => None,
        }
    }
}

/// Positions nest at most this deep in a MultiPolygon (parts, rings, positions, position).
const MAX_DEPTH: usize = 4;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Arrays and numbers read, counted as the strict reader counts JSON values.
    values: usize,
}

impl<'a> Reader<'a> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next non-blank byte, consumed.
    fn next(&mut self) -> Option<u8> {
        self.skip_whitespace();
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn byte(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// A string of printable ASCII without escapes (member names, type names).
    fn string(&mut self) -> Option<&'a [u8]> {
        self.byte(b'"')?;
        let start = self.at;
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => break,
                b'\\' => return None,
                b' '..=b'~' => self.at += 1,
                _ => return None,
            }
        }
        let s = &self.bytes[start..self.at];
        self.at += 1;
        Some(s)
    }

    fn key(&mut self, name: &[u8]) -> Option<()> {
        (self.string()? == name).then_some(())?;
        self.byte(b':')
    }

    /// An array of positions, or of arrays of them, at most [`MAX_DEPTH`] deep.
    fn nested(&mut self, depth: usize) -> Option<Nested> {
        if depth == MAX_DEPTH {
            return None;
        }
        self.byte(b'[')?;
        self.count()?;
        self.skip_whitespace();
        // A position starts with a number, a list with another array or its end.
        let mut out = Vec::new();
        match self.bytes.get(self.at) {
            Some(b'-' | b'0'..=b'9') => return self.position_rest().map(Nested::Position),
            Some(b']') => {
                self.at += 1;
                return Some(Nested::List(out));
            }
            _ => {}
        }
        let first = self.nested(depth + 1)?;
        if let Nested::Position(c) = first {
            // The other items must be positions too (else the strict reader says what is
            // wrong); they sit as deep as the first.
            let mut coords = vec![c];
            loop {
                match self.next()? {
                    b',' => {}
                    b']' => return Some(Nested::Positions(coords)),
                    _ => return None,
                }
                self.byte(b'[')?;
                self.count()?;
                coords.push(self.position_rest()?);
            }
        }
        out.push(first);
        loop {
            match self.next()? {
                b',' => {}
                b']' => return Some(Nested::List(out)),
                _ => return None,
            }
            out.push(self.nested(depth + 1)?);
        }
    }

    /// The rest of a position after its `[`: `x, y]` or `x, y, z]` (z read and dropped, as the
    /// strict reader does).
    fn position_rest(&mut self) -> Option<Coord> {
        let x = self.number()?;
        self.byte(b',')?;
        let y = self.number()?;
        match self.next()? {
            b']' => {}
            b',' => {
                self.number()?;
                self.byte(b']')?;
            }
            _ => return None,
        }
        Some(Coord { x, y })
    }

    fn count(&mut self) -> Option<()> {
        self.values += 1;
        (self.values <= MAX_VALUES).then_some(())
    }

    /// A JSON number without an exponent, correctly rounded like serde_json's
    /// `float_roundtrip` (which the conformance fixtures rely on).
    fn number(&mut self) -> Option<f64> {
        self.count()?;
        self.skip_whitespace();
        let b = self.bytes;
        let negative = b.get(self.at) == Some(&b'-');
        let int_start = self.at + usize::from(negative);
        // Digits accumulate modulo 2^64; past 15 of them the value comes from the standard
        // library's parser instead.
        let mut mantissa: u64 = 0;
        let mut digits = |i: usize| fold_digits(b, i, &mut mantissa);
        let int_end = digits(int_start);
        // JSON allows no leading zero ("01") and needs a digit before the point.
        if int_end == int_start || (int_end - int_start > 1 && b[int_start] == b'0') {
            return None;
        }
        let (end, fraction) = if b.get(int_end) == Some(&b'.') {
            let end = digits(int_end + 1);
            (end, end - int_end - 1)
        } else {
            (int_end, 0)
        };
        if int_end < end && fraction == 0 {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = b.get(end) {
            return None;
        }
        self.at = end;
        // Clinger's fast path: mantissa (below 10^15 < 2^53) and power of ten both exact in a
        // double, so one correctly rounded division is the correctly rounded value. Longer
        // numbers go through the standard library's parser, also correctly rounded.
        let value = if int_end - int_start + fraction <= 15 {
            mantissa as f64 / POWERS_OF_TEN[fraction]
        } else {
            std::str::from_utf8(&b[int_start..end])
                .ok()?
                .parse::<f64>()
                .ok()?
        };
        value
            .is_finite()
            .then_some(if negative { -value } else { value })
    }
}

/// Reads the digits from `b[i..]`, folding them into `mantissa` (modulo 2^64), and returns
/// where they end. Eight bytes at a time while eight are left: the digits among them are found
/// and combined at once, however many there are. Read one by one, digits were a tenth of a
/// polygon grade; a fixed step of exactly eight digits (tried and dropped in the tenth session)
/// never applied, since drawn coordinates have seven fraction digits.
fn fold_digits(b: &[u8], mut i: usize, mantissa: &mut u64) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        // Each byte minus '0': the digits become 0..=9; the first other byte either wraps
        // (below '0') or reaches 0x80 with 0x76 added (above '9'). Borrows and carries only
        // move upwards, into bytes after the first non-digit, which are not read.
        let d = u64::from_le_bytes(word).wrapping_sub(ONES * u64::from(b'0'));
        let non_digit = (d.wrapping_add(ONES * 0x76) | d) & (ONES * 0x80);
        let n = (non_digit.trailing_zeros() / 8) as usize;
        if n == 0 {
            return i;
        }
        // The n digits (the first in the lowest byte) moved to the top bytes, so that the
        // bytes below read as leading zeros; then pairs, quadruples and the eight combined.
        let v = d << (64 - 8 * n);
        let v = (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
        let v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
        let v = (v.wrapping_mul(10_000) + (v >> 32)) & 0xFFFF_FFFF;
        *mantissa = mantissa.wrapping_mul(POWERS_OF_TEN_U64[n]).wrapping_add(v);
        i += n;
        if n < 8 {
            return i;
        }
    }
    while let Some(d) = b.get(i).map(|c| c.wrapping_sub(b'0')).filter(|d| *d <= 9) {
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    i
}

const POWERS_OF_TEN_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// Exact in a double up to 10^22; a number of at most 15 digits needs no more than 10^15.
const POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grading::answer::{ROOT, object_fields, parse_json};
    use crate::grading::geometry::{LINE, LINES, POINT, POLYGONAL, parse_geometry};
    use crate::grading::messages::AnswerError;
    use crate::grading::test_support::Lcg;

    const ALL: &[&str] = &[
        "Point",
        "LineString",
        "Polygon",
        "MultiLineString",
        "MultiPolygon",
    ];
    const PATH: &str = "answer.geometry";

    fn strict(bytes: &[u8], allowed: &'static [&'static str]) -> Result<RawGeometry, AnswerError> {
        let v = parse_json(bytes)?;
        let [g] = object_fields(&v, ROOT, ["geometry"])?;
        parse_geometry(g, PATH, allowed, true, None)
    }

    /// Eight digits at a time must read what one at a time reads: every run length, every
    /// kind of byte after it, and runs that end near the end of the buffer.
    #[test]
    fn digits_eight_at_a_time_as_one_by_one() {
        let one_by_one = |b: &[u8], mut i: usize| {
            let mut m = 0u64;
            while let Some(d) = b.get(i).map(|c| c.wrapping_sub(b'0')).filter(|d| *d <= 9) {
                m = m.wrapping_mul(10).wrapping_add(u64::from(d));
                i += 1;
            }
            (i, m)
        };
        let mut rng = Lcg::new(7);
        for len in 0..=25 {
            for after in 0..=255u8 {
                for tail in [0usize, 1, 7, 8, 9] {
                    let mut b: Vec<u8> = (0..len).map(|_| b'0' + rng.below(10) as u8).collect();
                    if tail > 0 {
                        b.push(after);
                        b.extend((1..tail).map(|_| rng.below(256) as u8));
                    }
                    for start in [0, len / 3] {
                        let mut m = 0u64;
                        let end = fold_digits(&b, start, &mut m);
                        assert_eq!((end, m), one_by_one(&b, start), "{b:?} from {start}");
                    }
                }
            }
        }
    }

    /// The fast reader must take `doc` and read exactly what the strict reader reads.
    fn same(doc: &str, allowed: &'static [&'static str]) -> Raw {
        let fast = read(doc.as_bytes(), allowed, PATH).unwrap_or_else(|| panic!("refused {doc}"));
        let slow = strict(doc.as_bytes(), allowed).unwrap_or_else(|e| panic!("{doc}: {e:?}"));
        assert_eq!(fast, slow, "{doc}");
        assert_eq!(bits(&fast.raw), bits(&slow.raw), "{doc}");
        fast.raw
    }

    /// Every coordinate bit for bit, so that -0.0 and the last ulp count too.
    fn bits(r: &Raw) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        r.for_each_position(None, &mut |_, c| {
            out.push((c.x.to_bits(), c.y.to_bits()));
            Ok(())
        })
        .unwrap_or_default();
        out
    }

    #[test]
    fn reads_what_browsers_and_serde_send_as_the_strict_reader_does() {
        same(
            r#"{"geometry":{"type":"Point","coordinates":[17.5,63.25]}}"#,
            POINT,
        );
        same(
            "{ \"geometry\" :\n\t{\"coordinates\" : [ 17 , -0 , 12.5 ] ,\r\n \"type\":\"Point\"} } ",
            POINT,
        );
        same(
            r#"{"geometry":{"type":"LineString","coordinates":[]}}"#,
            LINE,
        );
        let ring = "[[17.1,63.1],[17.2,63.1],[17.2,63.2],[17.1,63.1]]";
        let poly = same(
            &format!(r#"{{"geometry":{{"type":"Polygon","coordinates":[{ring},[]]}}}}"#),
            POLYGONAL,
        );
        assert!(matches!(poly, Raw::Polygon(ref rs) if rs.len() == 2 && rs[0].len() == 4));
        same(
            &format!(
                r#"{{"geometry":{{"coordinates":[[{ring}],[{ring},{ring}]],"type":"MultiPolygon"}}}}"#
            ),
            POLYGONAL,
        );
        same(
            r#"{"geometry":{"type":"MultiLineString","coordinates":[[[1,2],[3,4,5]],[]]}}"#,
            LINES,
        );
        // Numbers the fast path divides and the ones it hands to the standard library.
        for n in [
            "0",
            "-0",
            "-0.0",
            "0.1",
            "19.1048134",
            "-179.99999999999997",
            "64.80325460000001",
            "0.30000000000000004",
            "123456789012345",
            "1234567890123456789",
            "18446744073709551616",
            "-9223372036854775809",
            "0.000000000000000000000000001",
            "12.3456789012345678901234567890",
        ] {
            same(
                &format!(r#"{{"geometry":{{"type":"Point","coordinates":[{n},{n}]}}}}"#),
                POINT,
            );
        }
    }

    #[test]
    fn leaves_everything_else_to_the_strict_reader() {
        for doc in [
            r#"{"geometry":{"type":"Point","coordinates":[1,2]}} x"#,
            r#"{"geometry":{"type":"Point","coordinates":[1,2],"type":"Point"}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1,2]},"geometry":1}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1,2],"bbox":[]}}"#,
            r#"{"geometry":{"type":"Point"}}"#,
            r#"{"geometry":{"type":"Poin\u0074","coordinates":[1,2]}}"#,
            r#"{"geometry":{"type":"LineString","coordinates":[1,2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[[1,2]]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1,2,3,4]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1e1,2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[01,2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1.,2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[.5,2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[-,2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[NaN,2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":["1",2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1,2,]}}"#,
            r#"{"geometry":{"type":"Punkt","coordinates":[1,2]}}"#,
            r#"{"geometry":{"type":"Feature","coordinates":[1,2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1,2]}"#,
            "{\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,\u{a0}2]}}",
            r#"{"geometry":{"type":"MultiPolygon","coordinates":[[[[[1,2]]]]]}}"#,
        ] {
            assert_eq!(read(doc.as_bytes(), ALL, PATH), None, "{doc}");
        }
        // A type the exercise does not take is the strict reader's to name.
        let line = r#"{"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}"#;
        assert_eq!(read(line.as_bytes(), POLYGONAL, PATH), None);
        // Deep nesting stops at the depth a MultiPolygon needs, without recursing further.
        let deep = format!(
            r#"{{"geometry":{{"type":"Point","coordinates":{}1{}}}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(read(deep.as_bytes(), ALL, PATH), None);
    }

    #[test]
    fn too_many_values_are_left_to_the_strict_reader_at_exactly_its_limit() {
        // 3 values outside the coordinates, 1 for the outer array, 3 per position.
        let doc = |positions: usize| {
            let p = vec!["[1,2]"; positions].join(",");
            format!(r#"{{"geometry":{{"type":"LineString","coordinates":[{p}]}}}}"#)
        };
        let fits = (MAX_VALUES - 4) / 3;
        same(&doc(fits), LINE);
        let over = doc(fits + 1);
        assert_eq!(read(over.as_bytes(), LINE, PATH), None);
        assert!(strict(over.as_bytes(), LINE).is_err());
    }

    /// Random decimal numbers of 1 to 25 digits, around the fast path's 15-digit edge and the
    /// 19 digits a u64 holds: read bit for bit as serde_json reads them.
    #[test]
    fn numbers_round_exactly_as_serde_json_rounds_them() {
        let mut rng = Lcg::new(11);
        for _ in 0..20_000 {
            let digits = 1 + rng.below(25) as usize;
            let mut n: String = (0..digits)
                .map(|_| char::from(b'0' + rng.below(10) as u8))
                .collect();
            // No leading zero before other digits (JSON forbids it).
            while n.len() > 1 && n.starts_with('0') {
                n.remove(0);
            }
            let point = rng.below(n.len() as u64 + 1) as usize;
            if point > 0 && point < n.len() {
                n.insert(point, '.');
            } else if rng.below(2) == 0.0 {
                // 0.000…: leading zeros after the point count as digits too.
                n = format!("0.{}{n}", "0".repeat(rng.below(6) as usize));
            }
            if rng.below(2) == 0.0 {
                n.insert(0, '-');
            }
            let doc = format!(r#"{{"geometry":{{"type":"Point","coordinates":[{n},0.5]}}}}"#);
            same(&doc, POINT);
        }
    }

    /// Documents cut, spliced and with bytes replaced at random: whatever the fast reader takes,
    /// the strict reader reads the same.
    #[test]
    fn mangled_documents_never_read_differently() {
        let seeds = [
            r#"{"geometry":{"type":"Polygon","coordinates":[[[17.1,63.1],[17.2,63.1],[17.2,63.2],[17.1,63.1]]]}}"#,
            r#"{"geometry": {"coordinates": [[[[1, -2.5], [3, 4, 5]]], []], "type": "MultiPolygon"}}"#,
            r#"{"geometry":{"type":"LineString","coordinates":[[0,0],[-0.000001,10.25]]}}"#,
        ];
        let alphabet = b"[]{},:\"-.0123456789e ";
        let mut rng = Lcg::new(7);
        let mut taken = 0;
        for i in 0..20_000 {
            let mut doc = seeds[i % seeds.len()].as_bytes().to_vec();
            for _ in 0..=(rng.below(3) as usize) {
                let at = rng.below(doc.len() as u64) as usize;
                match rng.below(3) as usize {
                    0 => doc[at] = alphabet[rng.below(alphabet.len() as u64) as usize],
                    1 => {
                        doc.remove(at);
                    }
                    _ => doc.insert(at, alphabet[rng.below(alphabet.len() as u64) as usize]),
                }
            }
            if let Some(fast) = read(&doc, ALL, PATH) {
                taken += 1;
                let text = String::from_utf8_lossy(&doc);
                let slow = strict(&doc, ALL);
                assert_eq!(
                    slow.as_ref().map(|s| bits(&s.raw)),
                    Ok(bits(&fast.raw)),
                    "{text}"
                );
                assert_eq!(slow, Ok(fast), "{text}");
            }
        }
        // Enough of the mangled documents stay valid for the comparison to mean something.
        assert!(taken > 1_000, "only {taken} taken");
    }
}
