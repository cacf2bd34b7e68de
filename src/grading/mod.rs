//! Spatial grading (placeholder until the engine lands): the layer types content loads.

/// A map layer as loaded from `static/layers/<name>.geojson` (WGS 84).
#[derive(Debug)]
pub struct Layer {
    pub name: String,
    pub features: Vec<LayerFeature>,
}

#[derive(Debug)]
pub struct LayerFeature {
    pub id: String,
    pub name: String,
    pub geometry: geo::Geometry<f64>,
}
