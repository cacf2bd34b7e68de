//! The interactive map player's texts (`static/js/player/`). The player shows no text of its
//! own: the page embeds these as JSON in its config blob, so every word is reviewed here, in
//! Swedish first, and a text missing in one language does not compile. `{name}` marks a value
//! the player fills in; both languages must use the same ones (tested below).

/// Every text of the map player, in one language. Serialized with the field names as keys.
#[derive(Debug, serde::Serialize)]
pub struct PlayerStrings {
    // Language and page
    pub locale: &'static str,
    pub map_label: &'static str,
    pub map_keys_help: &'static str,
    pub loading: &'static str,
    pub noscript: &'static str,
    pub load_failed: &'static str,
    pub layer_failed: &'static str,
    pub login_needed: &'static str,
    pub login_link: &'static str,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    pub tools_label: &'static str,
    pub crosshair_at: &'static str,
    pub pos_lonlat: &'static str,
    pub pos_sweref: &'static str,
    pub unit_m: &'static str,
    pub unit_km: &'static str,
    pub unit_m2: &'static str,
    pub unit_ha: &'static str,
    pub unit_km2: &'static str,
    pub yes: &'static str,
    // Toolbar and drawing
    pub undo: &'static str,
    pub clear: &'static str,
    pub finish: &'static str,
    pub continue_drawing: &'static str,
    pub hint_point: &'static str,
    pub hint_points: &'static str,
    pub hint_line: &'static str,
    pub hint_polygon: &'static str,
    pub hint_select: &'static str,
    pub vertex_count: &'static str,
    pub selected_count: &'static str,
    pub placed_count: &'static str,
    pub uploaded_shape: &'static str,
    // Answer controls of each kind
    pub label_picker_legend: &'static str,
    pub placed: &'static str,
    pub not_placed: &'static str,
    pub value_label: &'static str,
    pub read_legend: &'static str,
    pub read_n: &'static str,
    pub read_e: &'static str,
    pub choice_legend_single: &'static str,
    pub choice_legend_multiple: &'static str,
    pub site_rules_heading: &'static str,
    pub answer_heading: &'static str,
    pub summary_none: &'static str,
    pub summary_point: &'static str,
    pub summary_line: &'static str,
    pub summary_polygon: &'static str,
    pub shape_line: &'static str,
    pub shape_polygon: &'static str,
    // Helper tools (only when the exercise offers them)
    pub measure_tool: &'static str,
    pub measure_shape_legend: &'static str,
    pub measure_line: &'static str,
    pub measure_area: &'static str,
    pub measure_empty: &'static str,
    pub measure_result_length: &'static str,
    pub measure_result_area: &'static str,
    pub measure_clear: &'static str,
    pub measure_hint: &'static str,
    pub coordinates_tool: &'static str,
    // Answering without the map
    pub alternative_link: &'static str,
    pub table_summary_points: &'static str,
    pub table_summary_vertices: &'static str,
    pub table_caption_points: &'static str,
    pub table_caption_vertices: &'static str,
    pub table_help: &'static str,
    pub crs_label: &'static str,
    pub crs_wgs84: &'static str,
    pub crs_sweref: &'static str,
    pub col_point: &'static str,
    pub col_vertex: &'static str,
    pub col_lat: &'static str,
    pub col_lon: &'static str,
    pub col_n: &'static str,
    pub col_e: &'static str,
    pub col_actions: &'static str,
    pub row_point: &'static str,
    pub row_point_ref: &'static str,
    pub row_vertex: &'static str,
    pub vertex_ref: &'static str,
    pub cell_label: &'static str,
    pub remove_row: &'static str,
    pub insert_after: &'static str,
    pub add_vertex_legend: &'static str,
    pub add_vertex: &'static str,
    pub coordinate_incomplete: &'static str,
    pub invalid_number: &'static str,
    pub looks_like_sweref: &'static str,
    pub out_of_range: &'static str,
    pub list_summary: &'static str,
    pub list_search: &'static str,
    pub list_count: &'static str,
    pub list_legend: &'static str,
    pub upload_summary: &'static str,
    pub upload_help: &'static str,
    pub upload_label: &'static str,
    pub upload_ok: &'static str,
    pub upload_bad_json: &'static str,
    pub upload_no_geometry: &'static str,
    pub upload_one_feature: &'static str,
    pub upload_wrong_type: &'static str,
    pub upload_bad_coordinates: &'static str,
    pub upload_not_wgs84: &'static str,
    pub geom_line: &'static str,
    pub geom_polygon: &'static str,
    pub map_text_summary: &'static str,
    pub map_text_point: &'static str,
    pub map_text_line: &'static str,
    pub map_text_polygon: &'static str,
    // Submitting
    pub submit: &'static str,
    pub sending: &'static str,
    pub need_point: &'static str,
    pub need_points: &'static str,
    pub need_line: &'static str,
    pub need_polygon: &'static str,
    pub need_selection: &'static str,
    pub need_value: &'static str,
    pub need_coordinates: &'static str,
    pub need_choice: &'static str,
    pub unsupported_kind: &'static str,
    pub network_error: &'static str,
    pub server_error: &'static str,
    pub login_to_submit: &'static str,
    pub error_detail: &'static str,
    // The graded result
    pub result_heading: &'static str,
    pub score: &'static str,
    pub passed: &'static str,
    pub failed: &'static str,
    pub attempts_left: &'static str,
    pub attempts_unlimited: &'static str,
    pub attempts_none: &'static str,
    pub retry: &'static str,
    pub legend_heading: &'static str,
    pub role_answer: &'static str,
    pub role_key: &'static str,
    pub role_missed: &'static str,
    pub role_extra: &'static str,
    pub rules_heading: &'static str,
    pub rules_met_count: &'static str,
    pub rule_met: &'static str,
    pub rule_not_met: &'static str,
    pub m_distance: &'static str,
    pub m_iou: &'static str,
    pub m_hausdorff: &'static str,
    pub m_answer_length: &'static str,
    pub m_key_length: &'static str,
    pub m_answer_area: &'static str,
    pub m_key_area: &'static str,
    pub m_missed_area: &'static str,
    pub m_extra_area: &'static str,
    pub m_precision: &'static str,
    pub m_recall: &'static str,
    pub m_missing: &'static str,
    pub m_extra: &'static str,
    pub m_answer_value: &'static str,
    pub m_key_value: &'static str,
    pub m_relative_error: &'static str,
    pub m_key_ne: &'static str,
    pub m_axes_swapped: &'static str,
    pub m_right: &'static str,
    pub m_wrong: &'static str,
    pub m_missed: &'static str,
    pub m_per_label: &'static str,
    // Announcements (read aloud by screen readers)
    pub a_point_placed: &'static str,
    pub a_label_placed: &'static str,
    pub a_point_removed: &'static str,
    pub a_label_removed: &'static str,
    pub a_label_active: &'static str,
    pub a_vertex_added: &'static str,
    pub a_vertex_removed: &'static str,
    pub a_vertex_moved: &'static str,
    pub a_vertex_inserted: &'static str,
    pub a_finished_line: &'static str,
    pub a_finished_polygon: &'static str,
    pub a_drawing_finished_hint: &'static str,
    pub a_drawing_reopened: &'static str,
    pub a_clear_upload_first: &'static str,
    pub a_cleared: &'static str,
    pub a_undone: &'static str,
    pub a_selected: &'static str,
    pub a_deselected: &'static str,
    pub a_nothing_here: &'static str,
    pub a_zoomed_in: &'static str,
    pub a_zoomed_out: &'static str,
    pub a_view_reset: &'static str,
    pub a_measure_on: &'static str,
    pub a_measure_off: &'static str,
    pub a_measure_point: &'static str,
    pub a_measure_cleared: &'static str,
    pub a_submitted: &'static str,
    pub a_restored: &'static str,
    pub a_from_last: &'static str,
    pub a_retry: &'static str,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::Lang;

    fn texts(lang: Lang) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(&lang.strings().player) {
            Ok(serde_json::Value::Object(map)) => map,
            other => panic!("player strings are not an object: {other:?}"),
        }
    }

    fn placeholders(text: &str) -> BTreeSet<String> {
        crate::i18n::placeholders(text)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn no_player_string_is_empty() {
        for lang in Lang::ALL {
            for (key, value) in texts(lang) {
                let text = value.as_str().unwrap_or_default();
                assert!(!text.trim().is_empty(), "{lang}: player.{key} is empty");
            }
        }
    }

    #[test]
    fn both_languages_fill_in_the_same_values() {
        let sv = texts(Lang::Sv);
        let en = texts(Lang::En);
        for (key, value) in &sv {
            let other = en.get(key).and_then(|v| v.as_str()).unwrap_or_default();
            assert_eq!(
                placeholders(value.as_str().unwrap_or_default()),
                placeholders(other),
                "player.{key}: placeholders differ between sv and en"
            );
        }
    }
}
