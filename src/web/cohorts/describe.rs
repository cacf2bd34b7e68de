//! Answers described in words, for the class map's list view: what a screen-reader user hears
//! instead of seeing the shapes on the map.

use super::*;

/// The features of a stored answer, as the player sent them: one geometry, or a collection.
pub(super) fn answer_features(answer: &Value) -> Vec<Value> {
    if let Some(geometry) = answer.get("geometry").filter(|g| g.is_object()) {
        return vec![json!({"type": "Feature", "properties": {}, "geometry": geometry})];
    }
    answer
        .get("features")
        .and_then(|fc| fc.get("features"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn coords(value: &Value) -> Vec<Coord> {
    value
        .as_array()
        .map(|points| {
            points
                .iter()
                .filter_map(|p| {
                    let p = p.as_array()?;
                    Some(Coord {
                        x: p.first()?.as_f64()?,
                        y: p.get(1)?.as_f64()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A number with the reader's decimal sign and `digits` decimals.
fn number(lang: Lang, value: f64, digits: usize) -> String {
    let text = format!("{value:.digits$}");
    match lang {
        Lang::Sv => text.replace('.', ","),
        Lang::En => text,
    }
}

fn describe_geometry(geometry: &Value, lang: Lang) -> Option<String> {
    let t = lang.strings().cohorts;
    let c = geometry.get("coordinates")?;
    match geometry.get("type")?.as_str()? {
        "Point" => {
            let p = coords(&json!([c])).into_iter().next()?;
            Some(fill(
                t.describe_point,
                &[
                    ("lat", &number(lang, p.y, 3)),
                    ("lon", &number(lang, p.x, 3)),
                ],
            ))
        }
        "LineString" => {
            let line = coords(c);
            let km = Geodesic.length(&LineString::from(line.clone())) / 1000.0;
            Some(fill(
                t.describe_line,
                &[("n", &line.len()), ("km", &number(lang, km, 1))],
            ))
        }
        "Polygon" => {
            let rings: Vec<Vec<Coord>> = c.as_array()?.iter().map(coords).collect();
            let outer = rings.first()?.clone();
            let corners = outer.len().saturating_sub(1);
            let holes = rings.into_iter().skip(1).map(LineString::from).collect();
            let km2 = Polygon::new(LineString::from(outer), holes).geodesic_area_unsigned() / 1e6;
            Some(fill(
                t.describe_polygon,
                &[("n", &corners), ("km2", &number(lang, km2, 0))],
            ))
        }
        _ => None,
    }
}

/// The answer in words, for the list view (and screen readers).
pub(super) fn describe(answer: &Value, lang: Lang) -> String {
    let t = lang.strings().cohorts;
    let strings = |v: &Value| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    if let Some(choices) = answer.get("choices") {
        return fill(t.describe_choice, &[("list", &strings(choices))]);
    }
    if let Some(ids) = answer.get("ids") {
        return fill(t.describe_selected, &[("list", &strings(ids))]);
    }
    if let Some(value) = answer.get("value").and_then(Value::as_f64) {
        return fill(
            t.describe_value,
            &[(
                "value",
                &number(lang, value, 2)
                    .trim_end_matches(['0'])
                    .trim_end_matches([',', '.'])
                    .to_owned(),
            )],
        );
    }
    if let (Some(n), Some(e)) = (
        answer.get("n").and_then(Value::as_f64),
        answer.get("e").and_then(Value::as_f64),
    ) {
        return fill(
            t.describe_coordinates,
            &[("n", &number(lang, n, 0)), ("e", &number(lang, e, 0))],
        );
    }
    let features = answer_features(answer);
    let texts: Vec<String> = features
        .iter()
        .filter_map(|f| {
            let text = describe_geometry(f.get("geometry")?, lang)?;
            Some(
                match f
                    .get("properties")
                    .and_then(|p| p.get("label"))
                    .and_then(Value::as_str)
                {
                    Some(label) => format!("{label}: {text}"),
                    None => text,
                },
            )
        })
        .collect();
    match texts.len() {
        0 => t.describe_other.to_owned(),
        1 => texts.into_iter().next().unwrap_or_default(),
        n => fill(t.describe_points, &[("n", &n), ("list", &texts.join("; "))]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_described_in_words() {
        let point = json!({"geometry": {"type": "Point", "coordinates": [22.154, 65.584]}});
        assert_eq!(describe(&point, Lang::En), "Point at 65.584° N, 22.154° E");
        assert_eq!(describe(&point, Lang::Sv), "Punkt vid 65,584° N, 22,154° O");
        let line = json!({"geometry": {"type": "LineString", "coordinates": [[20.0, 65.0], [20.0, 66.0]]}});
        // One degree of latitude near 65° N is about 111.5 km (the meridian arc).
        assert_eq!(describe(&line, Lang::En), "Line of 2 points, 111.5 km");
        let square = json!({"geometry": {"type": "Polygon", "coordinates": [[[20.0, 65.0], [20.1, 65.0], [20.1, 65.1], [20.0, 65.1], [20.0, 65.0]]]}});
        let text = describe(&square, Lang::En);
        assert!(text.starts_with("Area with 4 corners, 5"), "{text}");
        let points = json!({"features": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"label": "A"}, "geometry": {"type": "Point", "coordinates": [20.0, 64.0]}},
            {"type": "Feature", "properties": {"label": "B"}, "geometry": {"type": "Point", "coordinates": [21.0, 65.0]}}]}});
        assert_eq!(
            describe(&points, Lang::En),
            "2 points: A: Point at 64.000° N, 20.000° E; B: Point at 65.000° N, 21.000° E"
        );
        assert_eq!(
            describe(&json!({"choices": ["a", "c"]}), Lang::En),
            "Chose: a, c"
        );
        assert_eq!(describe(&json!({"ids": ["x"]}), Lang::Sv), "Markerade: x");
        assert_eq!(describe(&json!({"value": 12.5}), Lang::Sv), "Värde: 12,5");
        assert_eq!(describe(&json!({"value": 40.0}), Lang::En), "Value: 40");
        assert_eq!(
            describe(&json!({"n": 7_300_000.0, "e": 800_000.0}), Lang::En),
            "North 7300000, east 800000"
        );
        assert_eq!(describe(&Value::Null, Lang::En), "Answer without a map");
    }
}
