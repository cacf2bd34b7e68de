//! Answer errors and their Swedish and English texts. A refused answer must tell the learner what
//! is wrong, where (ring and vertex, or line and column) and how to fix it, in the reader's
//! language; the code is the stable part that clients and the web layer match on.

use std::fmt;

use super::Lang;

/// The spec's answer-error codes ("Answer errors" table in spec/grading.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerErrorCode {
    MalformedJson,
    WrongAnswerShape,
    WrongGeometryType,
    EmptyGeometry,
    NonFiniteCoordinate,
    OutOfRangeCoordinate,
    OutOfMapExtent,
    TooManyVertices,
    InvalidGeometry,
    UnknownFeatureId,
    UnknownChoice,
    /// HTTP only (413): the web layer refuses the body before grading; here so it can reuse the
    /// code and texts.
    BodyTooLarge,
}

impl AnswerErrorCode {
    /// The snake_case code of the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerErrorCode::MalformedJson => "malformed_json",
            AnswerErrorCode::WrongAnswerShape => "wrong_answer_shape",
            AnswerErrorCode::WrongGeometryType => "wrong_geometry_type",
            AnswerErrorCode::EmptyGeometry => "empty_geometry",
            AnswerErrorCode::NonFiniteCoordinate => "non_finite_coordinate",
            AnswerErrorCode::OutOfRangeCoordinate => "out_of_range_coordinate",
            AnswerErrorCode::OutOfMapExtent => "out_of_map_extent",
            AnswerErrorCode::TooManyVertices => "too_many_vertices",
            AnswerErrorCode::InvalidGeometry => "invalid_geometry",
            AnswerErrorCode::UnknownFeatureId => "unknown_feature_id",
            AnswerErrorCode::UnknownChoice => "unknown_choice",
            AnswerErrorCode::BodyTooLarge => "body_too_large",
        }
    }
}

/// Where in the answer a problem sits. Indices are 0-based, as in the JSON arrays, and count
/// positions as sent (repeated positions included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Place {
    /// Index in a FeatureCollection (`place_points`).
    pub(crate) feature: Option<usize>,
    /// Polygon of a MultiPolygon, or line of a MultiLineString.
    pub(crate) part: Option<usize>,
    /// Ring of a polygon; 0 is the outer boundary.
    pub(crate) ring: Option<usize>,
    pub(crate) vertex: Option<usize>,
    /// The position is a Point geometry's only one: it has no ring or vertex to name, so the
    /// messages name "the point" instead (an empty place read "at  is outside").
    pub(crate) point: bool,
}

impl Place {
    /// Where the problem is, as a noun phrase: "the point", "vertex 3", "ring 0 (the outer
    /// boundary), vertex 3", "feature 1, vertex 0"…; "the whole geometry" when a check is about
    /// a geometry as a whole (a line that is too short) and nothing narrower applies.
    fn render(&self, lang: Lang) -> String {
        if self.point {
            return match (self.feature, lang) {
                (None, Lang::Sv) => "punkten".to_owned(),
                (None, Lang::En) => "the point".to_owned(),
                (Some(i), Lang::Sv) => format!("punkten i objekt {i}"),
                (Some(i), Lang::En) => format!("the point of feature {i}"),
            };
        }
        let mut parts = Vec::new();
        let (feature, part, ring, vertex) = match lang {
            Lang::Sv => ("objekt", "del", "ring", "hörn"),
            Lang::En => ("feature", "part", "ring", "vertex"),
        };
        if let Some(i) = self.feature {
            parts.push(format!("{feature} {i}"));
        }
        if let Some(i) = self.part {
            parts.push(format!("{part} {i}"));
        }
        if let Some(i) = self.ring {
            let outer = match (i, lang) {
                (0, Lang::Sv) => " (ytterkanten)",
                (0, Lang::En) => " (the outer boundary)",
                (_, Lang::Sv) => " (ett hål)",
                (_, Lang::En) => " (a hole)",
            };
            parts.push(format!("{ring} {i}{outer}"));
        }
        if let Some(i) = self.vertex {
            parts.push(format!("{vertex} {i}"));
        }
        if parts.is_empty() {
            return match lang {
                Lang::Sv => "hela geometrin".to_owned(),
                Lang::En => "the whole geometry".to_owned(),
            };
        }
        parts.join(", ")
    }

    /// Nothing narrower than the whole geometry is named.
    fn is_whole(&self) -> bool {
        *self == Place::default()
    }

    /// " (where)" after a sentence that already names the geometry ("The line has …"), or
    /// nothing when the place would only repeat that.
    fn aside(&self, lang: Lang) -> String {
        if self.is_whole() {
            String::new()
        } else {
            format!(" ({})", self.render(lang))
        }
    }
}

/// "1 position", "3 positions" (sv "1 position", "3 positioner").
fn positions(n: usize, lang: Lang) -> String {
    match (n, lang) {
        (1, _) => "1 position".to_owned(),
        (n, Lang::Sv) => format!("{n} positioner"),
        (n, Lang::En) => format!("{n} positions"),
    }
}

/// What was expected where an answer's structure went wrong.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expected {
    Object,
    Array,
    Number,
    String,
    Field(&'static str),
    NoField(String),
    /// 2 or 3 numbers (longitude, latitude, optional altitude).
    Position,
    /// An array nested as for the geometry type.
    Nesting(&'static str),
    ExactlyOneChoice(usize),
    UniqueLabel(String),
    KnownLabel(String),
    UniqueId(String),
    FeatureCollection,
    /// A number within ± this bound (read_coordinates n/e, measure value).
    Plausible(f64),
    /// Far fewer JSON values than were sent.
    FewerValues,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InvalidReason {
    UnclosedRing,
    RingTooShort(usize),
    LineTooShort(usize),
    ZeroLength,
    ZeroArea,
    /// The ring crosses or touches a segment starting at `other` (same or another ring).
    Crossing(Place),
    /// Two consecutive segments fold back on each other (a zero-width spike).
    Spike,
    HoleOutsideShell,
    HoleInHole(Place),
    PartsOverlap(Place),
}

/// What precisely went wrong; carries what the messages need.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Problem {
    Syntax {
        line: usize,
        column: usize,
        reason: String,
    },
    TooDeep {
        line: usize,
        column: usize,
    },
    DuplicateKey {
        key: String,
        line: usize,
        column: usize,
    },
    TooManyValues,
    Shape {
        path: String,
        expected: Expected,
    },
    GeometryType {
        path: String,
        found: String,
        allowed: &'static [&'static str],
    },
    Empty {
        path: String,
    },
    NonFinite {
        at: Place,
    },
    OutOfRange {
        at: Place,
        lon: f64,
        lat: f64,
        looks_like_sweref: bool,
    },
    TooManyVertices {
        count: usize,
        limit: usize,
        densified: bool,
    },
    /// Edges crowding together beyond the sweep's budget (reported as too_many_vertices).
    TooIntricate {
        segments: usize,
        pairs: usize,
    },
    OutOfExtent {
        at: Place,
        lon: f64,
        lat: f64,
        extent: [f64; 4],
    },
    Invalid {
        at: Place,
        reason: InvalidReason,
    },
    UnknownFeatureId {
        id: String,
    },
    UnknownChoice {
        id: String,
    },
    BodyTooLarge {
        limit_bytes: usize,
    },
}

/// An answer the grader refuses (HTTP 422, or 400 for `malformed_json`; CLI exit 2).
/// A refused answer does not use up an attempt.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.display_text())]
pub struct AnswerError {
    pub code: AnswerErrorCode,
    /// Technical detail for the `detail` field of the error body (not translated).
    pub detail: Option<String>,
    /// Boxed: answers are checked in `Result`s everywhere and the happy path should stay small.
    problem: Box<Problem>,
}

impl AnswerError {
    pub(crate) fn new(problem: Problem) -> AnswerError {
        let (code, detail) = classify(&problem);
        AnswerError {
            code,
            detail,
            problem: Box::new(problem),
        }
    }

    /// The web layer's 413 before the body is read: same code and texts as the grader's errors.
    pub fn body_too_large(limit_bytes: usize) -> AnswerError {
        AnswerError::new(Problem::BodyTooLarge { limit_bytes })
    }

    /// The spec's snake_case code.
    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    /// What is wrong, where, and how to fix it, in the reader's language.
    pub fn message(&self, lang: Lang) -> String {
        render(&self.problem, lang)
    }

    fn display_text(&self) -> String {
        match &self.detail {
            Some(d) => format!("{}: {} ({d})", self.code(), self.message(Lang::En)),
            None => format!("{}: {}", self.code(), self.message(Lang::En)),
        }
    }
}

fn classify(p: &Problem) -> (AnswerErrorCode, Option<String>) {
    use AnswerErrorCode as C;
    match p {
        Problem::Syntax {
            line,
            column,
            reason,
        } => (
            C::MalformedJson,
            Some(format!("{reason} at line {line} column {column}")),
        ),
        Problem::TooDeep { line, column } => (
            C::WrongAnswerShape,
            Some(format!("nesting too deep at line {line} column {column}")),
        ),
        Problem::DuplicateKey { key, line, column } => (
            C::WrongAnswerShape,
            Some(format!(
                "duplicate field `{key}` at line {line} column {column}"
            )),
        ),
        Problem::TooManyValues => (
            C::TooManyVertices,
            Some(format!("more than {} JSON values", super::json::MAX_VALUES)),
        ),
        Problem::Shape { path, .. } => (C::WrongAnswerShape, Some(path.clone())),
        Problem::GeometryType { path, found, .. } => {
            (C::WrongGeometryType, Some(format!("{path}: {found}")))
        }
        Problem::Empty { path } => (C::EmptyGeometry, Some(path.clone())),
        Problem::NonFinite { .. } => (C::NonFiniteCoordinate, None),
        Problem::OutOfRange { lon, lat, .. } => {
            (C::OutOfRangeCoordinate, Some(format!("[{lon}, {lat}]")))
        }
        Problem::TooManyVertices { count, limit, .. } => (
            C::TooManyVertices,
            Some(format!("{count} vertices, limit {limit}")),
        ),
        Problem::OutOfExtent { lon, lat, .. } => {
            (C::OutOfMapExtent, Some(format!("[{lon}, {lat}]")))
        }
        Problem::TooIntricate { segments, pairs } => (
            C::TooManyVertices,
            Some(format!(
                "more than {pairs} overlapping edge pairs among {segments} edges"
            )),
        ),
        Problem::Invalid { at, .. } => (C::InvalidGeometry, Some(at.render(Lang::En))),
        Problem::UnknownFeatureId { id } => (C::UnknownFeatureId, Some(id.clone())),
        Problem::UnknownChoice { id } => (C::UnknownChoice, Some(id.clone())),
        Problem::BodyTooLarge { limit_bytes } => {
            (C::BodyTooLarge, Some(format!("limit {limit_bytes} bytes")))
        }
    }
}

fn expected_text(e: &Expected, lang: Lang) -> String {
    match (e, lang) {
        (Expected::Object, Lang::Sv) => "ett JSON-objekt {…}".to_owned(),
        (Expected::Object, Lang::En) => "a JSON object {…}".to_owned(),
        (Expected::Array, Lang::Sv) => "en lista […]".to_owned(),
        (Expected::Array, Lang::En) => "an array […]".to_owned(),
        (Expected::Number, Lang::Sv) => "ett tal".to_owned(),
        (Expected::Number, Lang::En) => "a number".to_owned(),
        (Expected::String, Lang::Sv) => "en sträng".to_owned(),
        (Expected::String, Lang::En) => "a string".to_owned(),
        (Expected::Field(f), Lang::Sv) => format!("fältet \"{f}\", som saknas"),
        (Expected::Field(f), Lang::En) => format!("the field \"{f}\", which is missing"),
        (Expected::NoField(f), Lang::Sv) => {
            format!("inget fält \"{f}\" (okänt här; ta bort det)")
        }
        (Expected::NoField(f), Lang::En) => {
            format!("no field \"{f}\" (unknown here; remove it)")
        }
        (Expected::Position, Lang::Sv) => {
            "en position med 2 tal [longitud, latitud] (ett tredje, höjd, ignoreras; fler än 3 är fel)"
                .to_owned()
        }
        (Expected::Position, Lang::En) => {
            "a position of 2 numbers [longitude, latitude] (a third, altitude, is ignored; more than 3 is wrong)"
                .to_owned()
        }
        (Expected::Nesting(t), Lang::Sv) => {
            format!("koordinater nästlade som för en {t} enligt GeoJSON (RFC 7946)")
        }
        (Expected::Nesting(t), Lang::En) => {
            format!("coordinates nested as GeoJSON (RFC 7946) requires for a {t}")
        }
        (Expected::ExactlyOneChoice(n), Lang::Sv) => {
            format!("exakt ett val (du skickade {n}); välj ett alternativ")
        }
        (Expected::ExactlyOneChoice(n), Lang::En) => {
            format!("exactly one choice (you sent {n}); pick one option")
        }
        (Expected::UniqueLabel(l), Lang::Sv) => {
            format!("varje etikett en gång; \"{l}\" förekommer flera gånger")
        }
        (Expected::UniqueLabel(l), Lang::En) => {
            format!("each label once; \"{l}\" appears more than once")
        }
        (Expected::KnownLabel(l), Lang::Sv) => {
            format!("en av uppgiftens etiketter; \"{l}\" finns inte i uppgiften")
        }
        (Expected::KnownLabel(l), Lang::En) => {
            format!("one of the exercise's labels; \"{l}\" is not one of them")
        }
        (Expected::UniqueId(id), Lang::Sv) => format!("varje id en gång; \"{id}\" är upprepat"),
        (Expected::UniqueId(id), Lang::En) => format!("each id once; \"{id}\" is repeated"),
        (Expected::FeatureCollection, Lang::Sv) => {
            "en GeoJSON FeatureCollection med punkter som har properties.label".to_owned()
        }
        (Expected::FeatureCollection, Lang::En) => {
            "a GeoJSON FeatureCollection of Points with properties.label".to_owned()
        }
        (Expected::FewerValues, Lang::Sv) => format!(
            "långt färre värden (svaret innehöll fler än {} JSON-värden)",
            super::json::MAX_VALUES
        ),
        (Expected::FewerValues, Lang::En) => format!(
            "far fewer values (the answer held more than {} JSON values)",
            super::json::MAX_VALUES
        ),
        (Expected::Plausible(b), Lang::Sv) => format!("ett tal mellan −{b:e} och {b:e}"),
        (Expected::Plausible(b), Lang::En) => format!("a number between −{b:e} and {b:e}"),
    }
}

fn invalid_text(at: &Place, reason: &InvalidReason, lang: Lang) -> String {
    let here = at.render(lang);
    match (reason, lang) {
        (InvalidReason::UnclosedRing, Lang::Sv) => format!(
            "Ringen är inte sluten ({here}): sista positionen måste vara identisk med den första. Lägg till den första positionen sist; grindern stänger inte ringar själv."
        ),
        (InvalidReason::UnclosedRing, Lang::En) => format!(
            "The ring is not closed ({here}): its last position must equal its first. Repeat the first position at the end; the grader never closes rings itself."
        ),
        (InvalidReason::RingTooShort(n), Lang::Sv) => format!(
            "Ringen har bara {} ({here}); en ring behöver minst 4 (3 olika hörn och den stängande positionen). Rita minst en triangel.",
            positions(*n, lang)
        ),
        (InvalidReason::RingTooShort(n), Lang::En) => format!(
            "The ring has only {} ({here}); a ring needs at least 4 (3 distinct corners plus the closing position). Draw at least a triangle.",
            positions(*n, lang)
        ),
        (InvalidReason::LineTooShort(n), Lang::Sv) => format!(
            "Linjen har {}{}; en linje behöver minst 2 olika. Rita minst ett segment.",
            positions(*n, lang),
            at.aside(lang)
        ),
        (InvalidReason::LineTooShort(n), Lang::En) => format!(
            "The line has {}{}; a line needs at least 2 distinct ones. Draw at least one segment.",
            positions(*n, lang),
            at.aside(lang)
        ),
        (InvalidReason::ZeroLength, Lang::Sv) => format!(
            "Linjen har längden noll{}: alla positioner är samma punkt. Rita en linje mellan olika punkter.",
            at.aside(lang)
        ),
        (InvalidReason::ZeroLength, Lang::En) => format!(
            "The line has zero length{}: all its positions are the same point. Draw a line between different points.",
            at.aside(lang)
        ),
        (InvalidReason::ZeroArea, Lang::Sv) => format!(
            "Ringen har arean noll ({here}): hörnen ligger på en rak linje eller sammanfaller. Rita en yta med minst tre hörn som inte ligger på rad."
        ),
        (InvalidReason::ZeroArea, Lang::En) => format!(
            "The ring has zero area ({here}): its corners are on one straight line or coincide. Draw an area with at least three corners not in a row."
        ),
        (InvalidReason::Crossing(other), Lang::Sv) => format!(
            "Kanten som börjar vid {here} korsar eller rör kanten som börjar vid {}. En ring får inte korsa eller röra sig själv eller en annan ring (inte heller i en enda punkt eller med en upprepad punkt). Flytta hörnen så att kanterna inte möts.",
            other.render(lang)
        ),
        (InvalidReason::Crossing(other), Lang::En) => format!(
            "The edge starting at {here} crosses or touches the edge starting at {}. A ring must not cross or touch itself or another ring (not even at a single point or a repeated position). Move the vertices so the edges do not meet.",
            other.render(lang)
        ),
        (InvalidReason::Spike, Lang::Sv) => format!(
            "Ringen viker tillbaka på sig själv vid {here} (en spik med bredden noll). Ta bort hörnet eller flytta det."
        ),
        (InvalidReason::Spike, Lang::En) => format!(
            "The ring folds back on itself at {here} (a zero-width spike). Remove or move that vertex."
        ),
        (InvalidReason::HoleOutsideShell, Lang::Sv) => format!(
            "Hålet ({here}) ligger utanför polygonens ytterkant. Ett hål måste ligga helt inne i ytterkanten; rita annars en separat polygon."
        ),
        (InvalidReason::HoleOutsideShell, Lang::En) => format!(
            "The hole ({here}) lies outside the polygon's outer boundary. A hole must lie entirely inside the outer boundary; otherwise draw a separate polygon."
        ),
        (InvalidReason::HoleInHole(other), Lang::Sv) => format!(
            "Hålet ({here}) ligger inne i ett annat hål ({}). Hål får inte ligga i varandra; gör det inre till en egen polygon i en MultiPolygon.",
            other.render(lang)
        ),
        (InvalidReason::HoleInHole(other), Lang::En) => format!(
            "The hole ({here}) lies inside another hole ({}). Holes must not nest; make the inner one a polygon of its own in a MultiPolygon.",
            other.render(lang)
        ),
        (InvalidReason::PartsOverlap(other), Lang::Sv) => format!(
            "Delarna i multipolygonen överlappar: {here} ligger i {}. Slå ihop överlappande delar till en polygon.",
            other.render(lang)
        ),
        (InvalidReason::PartsOverlap(other), Lang::En) => format!(
            "The parts of the MultiPolygon overlap: {here} lies inside {}. Merge overlapping parts into one polygon.",
            other.render(lang)
        ),
    }
}

fn render(p: &Problem, lang: Lang) -> String {
    match (p, lang) {
        (
            Problem::Syntax {
                line,
                column,
                reason,
            },
            Lang::Sv,
        ) => format!(
            "Svaret är inte giltig JSON (rad {line}, kolumn {column}: {reason}). Kontrollera kommatecken, citattecken och hakparenteser där; NaN och Infinity är inte tillåtna och texten ska vara UTF-8."
        ),
        (
            Problem::Syntax {
                line,
                column,
                reason,
            },
            Lang::En,
        ) => format!(
            "The answer is not valid JSON (line {line}, column {column}: {reason}). Check the commas, quotes and brackets there; NaN and Infinity are not allowed and the text must be UTF-8."
        ),
        (Problem::TooDeep { line, column }, Lang::Sv) => format!(
            "Svaret är nästlat för djupt (rad {line}, kolumn {column}). Inget svar behöver fler än några nivåer; skicka svaret i den form uppgiften anger."
        ),
        (Problem::TooDeep { line, column }, Lang::En) => format!(
            "The answer is nested too deeply (line {line}, column {column}). No answer needs more than a few levels; send it in the shape the exercise asks for."
        ),
        (Problem::DuplicateKey { key, line, column }, Lang::Sv) => format!(
            "Fältet \"{key}\" förekommer två gånger i samma objekt (rad {line}, kolumn {column}). Skicka varje fält en gång."
        ),
        (Problem::DuplicateKey { key, line, column }, Lang::En) => format!(
            "The field \"{key}\" appears twice in the same object (line {line}, column {column}). Send each field once."
        ),
        (Problem::TooManyValues, Lang::Sv) => format!(
            "Svaret innehåller fler än {} värden, långt fler än de högst 5 000 hörn ett svar får ha. Förenkla geometrin.",
            super::json::MAX_VALUES
        ),
        (Problem::TooManyValues, Lang::En) => format!(
            "The answer holds more than {} values, far more than the at most 5,000 vertices an answer may have. Simplify the geometry.",
            super::json::MAX_VALUES
        ),
        (Problem::Shape { path, expected }, Lang::Sv) => format!(
            "Svaret har fel form vid {path}: där förväntades {}.",
            expected_text(expected, lang)
        ),
        (Problem::Shape { path, expected }, Lang::En) => format!(
            "The answer has the wrong shape at {path}: expected {} there.",
            expected_text(expected, lang)
        ),
        (
            Problem::GeometryType {
                path,
                found,
                allowed,
            },
            Lang::Sv,
        ) => format!(
            "Fel geometrityp vid {path}: \"{found}\". Uppgiften tar emot {} (stor och liten bokstav spelar roll).",
            allowed.join(" eller ")
        ),
        (
            Problem::GeometryType {
                path,
                found,
                allowed,
            },
            Lang::En,
        ) => format!(
            "Wrong geometry type at {path}: \"{found}\". This exercise takes {} (type names are case-sensitive).",
            allowed.join(" or ")
        ),
        (Problem::Empty { path }, Lang::Sv) => format!(
            "Geometrin vid {path} är tom: den har inga koordinater. Rita svaret på kartan innan du skickar det."
        ),
        (Problem::Empty { path }, Lang::En) => format!(
            "The geometry at {path} is empty: it has no coordinates. Draw your answer on the map before sending it."
        ),
        (Problem::NonFinite { at }, Lang::Sv) => format!(
            "En koordinat är inte ett ändligt tal ({}). Skicka vanliga decimaltal.",
            at.render(lang)
        ),
        (Problem::NonFinite { at }, Lang::En) => format!(
            "A coordinate is not a finite number ({}). Send ordinary decimal numbers.",
            at.render(lang)
        ),
        (
            Problem::OutOfRange {
                at,
                lon,
                lat,
                looks_like_sweref,
            },
            Lang::Sv,
        ) => {
            let hint = if *looks_like_sweref {
                " Talen ser ut som SWEREF 99 TM-meter (E, N); svaret ska vara WGS 84 longitud, latitud i grader."
            } else {
                " Ordningen är [longitud, latitud]."
            };
            format!(
                "Koordinaten [{lon}, {lat}] för {} ligger utanför WGS 84 (longitud ±180, latitud ±90).{hint}",
                at.render(lang)
            )
        }
        (
            Problem::OutOfRange {
                at,
                lon,
                lat,
                looks_like_sweref,
            },
            Lang::En,
        ) => {
            let hint = if *looks_like_sweref {
                " The numbers look like SWEREF 99 TM metres (E, N); send WGS 84 longitude, latitude in degrees."
            } else {
                " The order is [longitude, latitude]."
            };
            format!(
                "The coordinate [{lon}, {lat}] of {} is outside WGS 84 (longitude ±180, latitude ±90).{hint}",
                at.render(lang)
            )
        }
        (
            Problem::TooManyVertices {
                count,
                limit,
                densified: false,
            },
            Lang::Sv,
        ) => format!(
            "Svaret har {count} hörn; högst {limit} är tillåtna (en rings stängande position räknas inte). Förenkla geometrin."
        ),
        (
            Problem::TooManyVertices {
                count,
                limit,
                densified: false,
            },
            Lang::En,
        ) => format!(
            "The answer has {count} vertices; at most {limit} are allowed (a ring's closing position is not counted). Simplify the geometry."
        ),
        (
            Problem::TooManyVertices {
                count,
                limit,
                densified: true,
            },
            Lang::Sv,
        ) => format!(
            "Linjen blir {count} hörn när den förtätas för jämförelse; högst {limit} är tillåtna. Rita en kortare linje eller färre hörn."
        ),
        (
            Problem::TooManyVertices {
                count,
                limit,
                densified: true,
            },
            Lang::En,
        ) => format!(
            "The line becomes {count} vertices when densified for comparison; at most {limit} are allowed. Draw a shorter line or fewer vertices."
        ),
        (Problem::TooIntricate { segments, .. }, Lang::Sv) => format!(
            "Ytans {segments} kanter ligger så tätt packade (till exempel många spikar från samma punkt) att den inte kan jämföras på rimlig tid. Rita ytan med färre och glesare hörn."
        ),
        (Problem::TooIntricate { segments, .. }, Lang::En) => format!(
            "The area's {segments} edges crowd together so densely (for example many spikes from one spot) that it cannot be compared in reasonable time. Draw it with fewer, more spread-out vertices."
        ),
        (
            Problem::OutOfExtent {
                at,
                lon,
                lat,
                extent,
            },
            Lang::Sv,
        ) => format!(
            "Koordinaten [{lon}, {lat}] för {} ligger mer än 2° utanför kartans utsträckning [{}, {}, {}, {}]. Rita svaret på kartan i uppgiften.",
            at.render(lang),
            extent[0],
            extent[1],
            extent[2],
            extent[3]
        ),
        (
            Problem::OutOfExtent {
                at,
                lon,
                lat,
                extent,
            },
            Lang::En,
        ) => format!(
            "The coordinate [{lon}, {lat}] of {} lies more than 2° outside the map extent [{}, {}, {}, {}]. Draw the answer on the exercise's map.",
            at.render(lang),
            extent[0],
            extent[1],
            extent[2],
            extent[3]
        ),
        (Problem::Invalid { at, reason }, _) => invalid_text(at, reason, lang),
        (Problem::UnknownFeatureId { id }, Lang::Sv) => {
            format!("Objektet \"{id}\" finns inte i kartlagret. Välj objekt på kartan.")
        }
        (Problem::UnknownFeatureId { id }, Lang::En) => {
            format!("The feature \"{id}\" is not in the map layer. Select features on the map.")
        }
        (Problem::UnknownChoice { id }, Lang::Sv) => format!(
            "Alternativet \"{id}\" finns inte i uppgiften. Välj bland uppgiftens alternativ."
        ),
        (Problem::UnknownChoice { id }, Lang::En) => format!(
            "The option \"{id}\" is not one of the exercise's options. Choose among the options shown."
        ),
        (Problem::BodyTooLarge { limit_bytes }, Lang::Sv) => {
            format!("Svaret är större än {limit_bytes} byte. Förenkla geometrin.")
        }
        (Problem::BodyTooLarge { limit_bytes }, Lang::En) => {
            format!("The answer is larger than {limit_bytes} bytes. Simplify the geometry.")
        }
    }
}

/// Shorthand for a shape error at `path`.
pub(crate) fn shape(path: impl Into<String>, expected: Expected) -> AnswerError {
    AnswerError::new(Problem::Shape {
        path: path.into(),
        expected,
    })
}

pub(crate) fn invalid(at: Place, reason: InvalidReason) -> AnswerError {
    AnswerError::new(Problem::Invalid { at, reason })
}

impl fmt::Display for AnswerErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grading::geometry::{Raw, RawGeometry, check_coordinates};
    use crate::grading::test_support::exercise;
    use crate::grading::{Exercise, grade};
    use geo::Coord;
    use serde_json::json;

    fn polygon_exercise() -> Exercise {
        exercise(
            "draw_polygon",
            json!({}),
            Some(
                json!({"type": "Polygon", "coordinates": [[[18.0, 62.0], [18.2, 62.0], [18.2, 62.1], [18.0, 62.0]]]}),
            ),
        )
    }

    /// Grades `body` and returns (code, English message, Swedish message).
    fn refuse(ex: &Exercise, body: &[u8]) -> (&'static str, String, String) {
        match grade(ex, body) {
            Ok(r) => panic!("accepted: {r:?}"),
            Err(e) => (e.code(), e.message(Lang::En), e.message(Lang::Sv)),
        }
    }

    fn poly(coords: &serde_json::Value) -> Vec<u8> {
        json!({"geometry": {"type": "Polygon", "coordinates": coords}})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn malformed_json_gives_line_and_column() {
        let (code, en, sv) = refuse(&polygon_exercise(), b"{\"geometry\":\n  {\"type\": NaN}}");
        assert_eq!(code, "malformed_json");
        assert!(
            en.contains("line 2, column") && sv.contains("rad 2, kolumn"),
            "{en} / {sv}"
        );
        let e = grade(&polygon_exercise(), b"\xff\xfe").err();
        assert_eq!(e.map(|e| e.code), Some(AnswerErrorCode::MalformedJson));
    }

    #[test]
    fn wrong_answer_shape_names_the_field() {
        let ex = polygon_exercise();
        let (code, en, _) = refuse(
            &ex,
            br#"{"geometry": {"type": "Polygon", "coordinates": []}, "geometry": 1}"#,
        );
        assert_eq!(code, "wrong_answer_shape");
        assert!(
            en.contains("\"geometry\" appears twice") && en.contains("line 1"),
            "{en}"
        );
        let (code, en, _) = refuse(
            &ex,
            br#"{"geometry": {"type": "Polygon", "coordinates": []}, "colour": "red"}"#,
        );
        assert_eq!(code, "wrong_answer_shape");
        assert!(en.contains("answer.colour"), "{en}");
        let (code, en, _) = refuse(
            &ex,
            &poly(&json!([[
                [18.0, 62.0, 0.0, 1.0],
                [18.2, 62.0],
                [18.2, 62.1],
                [18.0, 62.0]
            ]])),
        );
        assert_eq!(code, "wrong_answer_shape");
        assert!(
            en.contains("answer.geometry.coordinates[0][0]") && en.contains("2 numbers"),
            "{en}"
        );
        let (code, _, _) = refuse(&ex, b"[]");
        assert_eq!(code, "wrong_answer_shape");
    }

    #[test]
    fn wrong_geometry_type_names_the_allowed_types() {
        let (code, en, sv) = refuse(
            &polygon_exercise(),
            br#"{"geometry": {"type": "LineString", "coordinates": [[18.0, 62.0], [18.1, 62.0]]}}"#,
        );
        assert_eq!(code, "wrong_geometry_type");
        assert!(
            en.contains("\"LineString\"") && en.contains("Polygon or MultiPolygon"),
            "{en}"
        );
        assert!(sv.contains("Polygon eller MultiPolygon"), "{sv}");
    }

    #[test]
    fn empty_geometry() {
        let (code, en, _) = refuse(&polygon_exercise(), &poly(&json!([[]])));
        assert_eq!(code, "empty_geometry");
        assert!(en.contains("answer.geometry"), "{en}");
    }

    #[test]
    fn non_finite_coordinate_names_the_vertex() {
        // serde_json refuses NaN and overflow at parse time (malformed_json); this is the check
        // behind it, for values that reach the grader by other routes.
        let g = RawGeometry {
            feature: None,
            path: "answer.geometry".to_owned(),
            raw: Raw::Polygon(vec![vec![
                Coord { x: 18.0, y: 62.0 },
                Coord {
                    x: f64::NAN,
                    y: 62.0,
                },
                Coord { x: 18.2, y: 62.1 },
                Coord { x: 18.0, y: 62.0 },
            ]]),
        };
        let e = check_coordinates(&[g], None, None).err();
        assert_eq!(
            e.as_ref().map(AnswerError::code),
            Some("non_finite_coordinate")
        );
        let m = e.map(|e| e.message(Lang::En)).unwrap_or_default();
        assert!(m.contains("ring 0 (the outer boundary), vertex 1"), "{m}");
    }

    #[test]
    fn out_of_range_recognises_sweref_metres() {
        let (code, en, sv) = refuse(
            &polygon_exercise(),
            &poly(&json!([[
                [674571.0, 6580743.0],
                [674671.0, 6580743.0],
                [674671.0, 6580843.0],
                [674571.0, 6580743.0]
            ]])),
        );
        assert_eq!(code, "out_of_range_coordinate");
        assert!(
            en.contains("SWEREF 99 TM") && en.contains("vertex 0"),
            "{en}"
        );
        assert!(sv.contains("SWEREF 99 TM") && sv.contains("hörn 0"), "{sv}");
        let (code, en, _) = refuse(
            &polygon_exercise(),
            &poly(&json!([[
                [18.0, 62.0],
                [18.2, 62.0],
                [18.2, 95.0],
                [18.0, 62.0]
            ]])),
        );
        assert_eq!(code, "out_of_range_coordinate");
        assert!(
            en.contains("vertex 2") && en.contains("[longitude, latitude]"),
            "{en}"
        );
    }

    #[test]
    fn out_of_map_extent_names_the_vertex() {
        let (code, en, _) = refuse(
            &polygon_exercise(),
            &poly(&json!([[
                [18.0, 62.0],
                [28.0, 62.0],
                [18.2, 62.1],
                [18.0, 62.0]
            ]])),
        );
        assert_eq!(code, "out_of_map_extent");
        assert!(
            en.contains("vertex 1") && en.contains("more than 2°"),
            "{en}"
        );
    }

    #[test]
    fn too_many_vertices_before_any_geometry_work() {
        let mut ring: Vec<[f64; 2]> = (0..5001)
            .map(|i| {
                let t = std::f64::consts::TAU * f64::from(i) / 5001.0;
                [18.0 + 0.1 * t.cos(), 62.0 + 0.05 * t.sin()]
            })
            .collect();
        ring.push([18.1, 62.0]);
        let (code, en, _) = refuse(&polygon_exercise(), &poly(&json!([ring])));
        assert_eq!(code, "too_many_vertices");
        assert!(en.contains("5001 vertices") && en.contains("5000"), "{en}");
        // Ten million numbers are refused while parsing, without building them.
        let mut body = String::with_capacity(20_000_100);
        body.push_str(r#"{"geometry": {"type": "Polygon", "coordinates": [["#);
        for _ in 0..10_000_000 {
            body.push_str("1,");
        }
        body.push_str("1]]}}");
        let started = std::time::Instant::now();
        let (code, _, _) = refuse(&polygon_exercise(), body.as_bytes());
        assert_eq!(code, "too_many_vertices");
        assert!(
            started.elapsed().as_secs_f64() < 1.0,
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn fans_of_spikes_are_refused_before_the_overlay() {
        // i_overlay needs 18 s for a valid 4 000-spike star; the sweep's pair budget stops it.
        let star: Vec<[f64; 2]> = (0..=2000)
            .map(|i| {
                let t = std::f64::consts::TAU * f64::from(i % 2000) / 2000.0;
                let r = if i % 2 == 0 { 0.2 } else { 0.001 };
                [18.1 + r * t.cos(), 62.05 + r * 0.5 * t.sin()]
            })
            .collect();
        let started = std::time::Instant::now();
        let (code, en, _) = refuse(&polygon_exercise(), &poly(&json!([star])));
        assert_eq!(code, "too_many_vertices");
        assert!(en.contains("crowd together"), "{en}");
        assert!(started.elapsed().as_secs_f64() < 1.0);
    }

    #[test]
    fn invalid_geometry_names_ring_and_vertex() {
        let (code, en, sv) = refuse(
            &polygon_exercise(),
            &poly(&json!([[
                [18.0, 62.0],
                [18.2, 62.1],
                [18.2, 62.0],
                [18.0, 62.1],
                [18.0, 62.0]
            ]])),
        );
        assert_eq!(code, "invalid_geometry");
        assert!(
            en.contains("ring 0 (the outer boundary), vertex 0") && en.contains("vertex 2"),
            "{en}"
        );
        assert!(sv.contains("hörn 0"), "{sv}");
        let (code, en, _) = refuse(
            &polygon_exercise(),
            &poly(&json!([[
                [18.0, 62.0],
                [18.2, 62.0],
                [18.2, 62.1],
                [18.0, 62.1]
            ]])),
        );
        assert_eq!(code, "invalid_geometry");
        assert!(en.contains("not closed") && en.contains("vertex 3"), "{en}");
        let hole_outside = json!([
            [
                [18.0, 62.0],
                [18.2, 62.0],
                [18.2, 62.1],
                [18.0, 62.1],
                [18.0, 62.0]
            ],
            [[18.3, 62.0], [18.4, 62.0], [18.4, 62.05], [18.3, 62.0]]
        ]);
        let (code, en, _) = refuse(&polygon_exercise(), &poly(&hole_outside));
        assert_eq!(code, "invalid_geometry");
        assert!(en.contains("ring 1 (a hole)"), "{en}");
    }

    fn point_exercise() -> Exercise {
        exercise(
            "place_point",
            json!({"full_within_m": 5000, "zero_beyond_m": 15000}),
            Some(json!({"type": "Point", "coordinates": [22.1567, 65.5848]})),
        )
    }

    fn line_exercise() -> Exercise {
        exercise(
            "draw_line",
            json!({"full_within_m": 200, "zero_beyond_m": 2000}),
            Some(json!({"type": "LineString", "coordinates": [[15.0, 62.0], [15.1, 62.05]]})),
        )
    }

    fn point(lon: f64, lat: f64) -> Vec<u8> {
        json!({"geometry": {"type": "Point", "coordinates": [lon, lat]}})
            .to_string()
            .into_bytes()
    }

    /// A message with a hole where a place or number should be: doubled spaces, empty
    /// brackets, or a preposition straight before punctuation.
    fn has_hole(m: &str) -> bool {
        m.contains("  ")
            || m.contains("()")
            || m.contains("[]")
            || m.contains(" ,")
            || m.contains(" .")
            || [" at ", " of ", " vid ", " för "]
                .iter()
                .any(|p| m.contains(&format!("{p}is")) || m.contains(&format!("{p}ligger")))
    }

    #[test]
    fn out_of_range_names_the_point_of_a_point_answer() {
        let (code, en, sv) = refuse(&point_exercise(), &point(722_900.0, 7_535_580.0));
        assert_eq!(code, "out_of_range_coordinate");
        assert!(
            en.starts_with("The coordinate [722900, 7535580] of the point is outside WGS 84")
                && en.contains("SWEREF 99 TM"),
            "{en}"
        );
        assert!(
            sv.starts_with("Koordinaten [722900, 7535580] för punkten ligger utanför WGS 84"),
            "{sv}"
        );
        assert!(!has_hole(&en) && !has_hole(&sv), "{en} / {sv}");
        // Not SWEREF-looking: the hint is the axis order instead.
        let (_, en, _) = refuse(&point_exercise(), &point(65.58, 122.15));
        assert!(
            en.contains("of the point") && en.contains("[longitude, latitude]"),
            "{en}"
        );
    }

    #[test]
    fn a_labelled_point_is_named_with_its_feature() {
        let ex = exercise(
            "place_points",
            json!({"full_within_m": 5000, "zero_beyond_m": 50000}),
            Some(json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"label": "lulea"}, "geometry": {"type": "Point", "coordinates": [22.1567, 65.5848]}},
                {"type": "Feature", "properties": {"label": "umea"}, "geometry": {"type": "Point", "coordinates": [20.2630, 63.8258]}}]})),
        );
        let body = json!({"features": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"label": "lulea"}, "geometry": {"type": "Point", "coordinates": [22.15, 65.58]}},
            {"type": "Feature", "properties": {"label": "umea"}, "geometry": {"type": "Point", "coordinates": [20.26, 95.0]}}]}});
        let (code, en, sv) = refuse(&ex, body.to_string().as_bytes());
        assert_eq!(code, "out_of_range_coordinate");
        assert!(en.contains("of the point of feature 1 is outside"), "{en}");
        assert!(sv.contains("för punkten i objekt 1 ligger utanför"), "{sv}");
    }

    #[test]
    fn out_of_extent_and_non_finite_name_the_point() {
        let (code, en, sv) = refuse(&point_exercise(), &point(-40.0, 65.0));
        assert_eq!(code, "out_of_map_extent");
        assert!(
            en.starts_with("The coordinate [-40, 65] of the point lies more than 2°"),
            "{en}"
        );
        assert!(
            sv.starts_with("Koordinaten [-40, 65] för punkten ligger"),
            "{sv}"
        );
        assert!(!has_hole(&en) && !has_hole(&sv), "{en} / {sv}");

        let g = RawGeometry {
            feature: None,
            path: "answer.geometry".to_owned(),
            raw: Raw::Point(Coord {
                x: f64::INFINITY,
                y: 65.0,
            }),
        };
        let e = check_coordinates(&[g], None, None).err();
        let (en, sv) = e
            .map(|e| (e.message(Lang::En), e.message(Lang::Sv)))
            .unwrap_or_default();
        assert!(en.contains("(the point)"), "{en}");
        assert!(sv.contains("(punkten)"), "{sv}");
    }

    #[test]
    fn a_line_too_short_says_so_without_an_empty_place() {
        let one = json!({"geometry": {"type": "LineString", "coordinates": [[15.0, 62.0]]}});
        let (code, en, sv) = refuse(&line_exercise(), one.to_string().as_bytes());
        assert_eq!(code, "invalid_geometry");
        assert!(en.starts_with("The line has 1 position; "), "{en}");
        assert!(sv.starts_with("Linjen har 1 position; "), "{sv}");
        let same = json!({"geometry": {"type": "LineString", "coordinates": [[15.0, 62.0], [15.0, 62.0]]}});
        let (_, en, sv) = refuse(&line_exercise(), same.to_string().as_bytes());
        assert!(en.starts_with("The line has zero length: "), "{en}");
        assert!(sv.starts_with("Linjen har längden noll: "), "{sv}");
        // In a MultiLineString (a `site` line may be one) the part is named.
        let part = Place {
            part: Some(1),
            ..Place::default()
        };
        let e = crate::grading::validate::validate_line(&[Coord { x: 0.0, y: 0.0 }], part).err();
        let (en, sv) = e
            .map(|e| (e.message(Lang::En), e.message(Lang::Sv)))
            .unwrap_or_default();
        assert!(en.starts_with("The line has 1 position (part 1); "), "{en}");
        assert!(sv.starts_with("Linjen har 1 position (del 1); "), "{sv}");
        let (_, en, _) = refuse(
            &polygon_exercise(),
            &poly(&json!([[[18.0, 62.0], [18.2, 62.0], [18.0, 62.0]]])),
        );
        assert!(en.contains("only 3 positions (ring 0"), "{en}");
    }

    /// Every message, in both languages, for every kind of place (a point, a labelled point, a
    /// vertex of a line, of a ring, of a part, and the whole geometry): none has a hole.
    #[test]
    fn no_message_has_an_empty_place() {
        let places = [
            Place {
                point: true,
                ..Place::default()
            },
            Place {
                point: true,
                feature: Some(2),
                ..Place::default()
            },
            Place {
                vertex: Some(3),
                ..Place::default()
            },
            Place {
                ring: Some(0),
                vertex: Some(3),
                ..Place::default()
            },
            Place {
                part: Some(1),
                ring: Some(1),
                vertex: Some(0),
                ..Place::default()
            },
            Place {
                part: Some(1),
                ..Place::default()
            },
            Place::default(),
        ];
        let reasons = |other: Place| {
            vec![
                InvalidReason::UnclosedRing,
                InvalidReason::RingTooShort(3),
                InvalidReason::LineTooShort(1),
                InvalidReason::ZeroLength,
                InvalidReason::ZeroArea,
                InvalidReason::Crossing(other),
                InvalidReason::Spike,
                InvalidReason::HoleOutsideShell,
                InvalidReason::HoleInHole(other),
                InvalidReason::PartsOverlap(other),
            ]
        };
        for at in places {
            let mut problems = vec![
                Problem::NonFinite { at },
                Problem::OutOfRange {
                    at,
                    lon: 200.0,
                    lat: 65.0,
                    looks_like_sweref: false,
                },
                Problem::OutOfExtent {
                    at,
                    lon: 40.0,
                    lat: 65.0,
                    extent: [10.0, 55.0, 25.0, 69.5],
                },
            ];
            for other in places {
                problems.extend(
                    reasons(other)
                        .into_iter()
                        .map(|reason| Problem::Invalid { at, reason }),
                );
            }
            for problem in problems {
                for lang in [Lang::Sv, Lang::En] {
                    let m = render(&problem, lang);
                    assert!(!has_hole(&m), "{problem:?} ({lang:?}): {m}");
                }
            }
        }
    }

    #[test]
    fn unknown_ids_and_body_too_large() {
        let e = AnswerError::new(Problem::UnknownFeatureId { id: "x".to_owned() });
        assert_eq!(e.code(), "unknown_feature_id");
        assert!(e.message(Lang::En).contains("\"x\""));
        let e = AnswerError::new(Problem::UnknownChoice {
            id: "o9".to_owned(),
        });
        assert_eq!(e.code(), "unknown_choice");
        assert!(e.message(Lang::Sv).contains("\"o9\""));
        let e = AnswerError::body_too_large(1 << 20);
        assert_eq!(e.code(), "body_too_large");
        assert!(e.message(Lang::En).contains("1048576"));
        assert!(e.to_string().starts_with("body_too_large: "));
        assert_eq!(
            serde_json::to_value(AnswerErrorCode::OutOfMapExtent).ok(),
            Some(json!("out_of_map_extent"))
        );
    }
}
