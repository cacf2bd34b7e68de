//! `static/layers/<name>.geojson`: map layers in WGS 84, each feature with a unique string id
//! and a name. Served as authored; parsed once for grading (selections, site rules, hints).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::catalog::Layer;
use super::error::ContentErrors;
use super::read::{entries, file_name};
use super::text::is_identifier;
use crate::grading;

pub(super) fn load_all(dir: &Path, errors: &mut ContentErrors) -> BTreeMap<String, Arc<Layer>> {
    let mut layers = BTreeMap::new();
    for path in entries(dir, false, errors) {
        let name = file_name(&path);
        let Some(layer_name) = name.strip_suffix(".geojson") else {
            continue;
        };
        if !is_identifier(layer_name) {
            errors.push(
                &path,
                None,
                "a layer file name must be lowercase ASCII letters, digits and '-'",
            );
        }
        if let Some(layer) = load(&path, layer_name, errors) {
            layers.insert(layer_name.to_owned(), Arc::new(layer));
        }
    }
    layers
}

fn load(path: &Path, name: &str, errors: &mut ContentErrors) -> Option<Layer> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            errors.push(path, None, format!("cannot be read: {e}"));
            return None;
        }
    };
    let collection = match serde_json::from_slice::<geojson::GeoJson>(&bytes) {
        Ok(geojson::GeoJson::FeatureCollection(fc)) => fc,
        Ok(_) => {
            errors.push(path, None, "a layer must be a GeoJSON FeatureCollection");
            return None;
        }
        Err(e) => {
            errors.push(path, Some(e.line()), format!("is not valid GeoJSON: {e}"));
            return None;
        }
    };
    let mut ids = HashSet::new();
    let mut features = Vec::with_capacity(collection.features.len());
    for (index, feature) in collection.features.iter().enumerate() {
        let property = |key: &str| {
            feature
                .properties
                .as_ref()
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let id = match &feature.id {
            Some(geojson::feature::Id::String(id)) => Some(id.clone()),
            Some(geojson::feature::Id::Number(_)) => None,
            None => property("id"),
        };
        let Some(id) = id.filter(|id| !id.is_empty()) else {
            errors.push(
                path,
                None,
                format!("feature {index} has no string id (properties.id)"),
            );
            continue;
        };
        if !ids.insert(id.clone()) {
            errors.push(
                path,
                None,
                format!("feature {index}: id '{id}' is used twice"),
            );
        }
        let Some(feature_name) = property("name").filter(|n| !n.trim().is_empty()) else {
            errors.push(
                path,
                None,
                format!("feature '{id}' has no name (properties.name)"),
            );
            continue;
        };
        let Some(geometry) = &feature.geometry else {
            errors.push(path, None, format!("feature '{id}' has no geometry"));
            continue;
        };
        let geometry = match geo::Geometry::<f64>::try_from(&geometry.value) {
            Ok(geometry) => geometry,
            Err(e) => {
                errors.push(path, None, format!("feature '{id}': {e}"));
                continue;
            }
        };
        if let Some(problem) = coordinate_problem(&geometry) {
            errors.push(path, None, format!("feature '{id}': {problem}"));
            continue;
        }
        features.push(grading::LayerFeature {
            id,
            name: feature_name,
            geometry,
        });
    }
    Some(Layer {
        name: name.to_owned(),
        geojson: Arc::from(bytes),
        features: Arc::new(grading::Layer {
            name: name.to_owned(),
            features,
        }),
    })
}

/// Layers are WGS 84 longitude/latitude: every number finite and in range.
fn coordinate_problem(geometry: &geo::Geometry<f64>) -> Option<String> {
    use geo::CoordsIter;
    geometry.coords_iter().find_map(|c| {
        if !c.x.is_finite() || !c.y.is_finite() {
            Some("a coordinate is not a finite number".to_owned())
        } else if c.x.abs() > 180.0 || c.y.abs() > 90.0 {
            Some(format!(
                "coordinate [{}, {}] is outside WGS 84 longitude/latitude (layers are lon, lat in degrees)",
                c.x, c.y
            ))
        } else {
            None
        }
    })
}
