//! API tests over real HTTP on loopback: each test starts the server on a fresh store, on
//! SQLite and (with `--ignored`, as `.ci/run` does) on PostgreSQL.

mod air;
mod helpers;
mod intake;
mod lifecycle;
mod pages;
mod review;
mod same_source;
mod search;
mod sessions;
mod stats;
mod topics;
mod tracking;

/// Expands each listed test into `sqlite::name` and `postgres::name` (ignored unless asked for).
macro_rules! on_both_backends {
    ($($module:ident :: $test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    crate::$module::$test(crate::helpers::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL: run by .ci/run with GREENLINE_TEST_POSTGRES_URL"]
                async fn $test() {
                    crate::$module::$test(crate::helpers::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    lifecycle::a_report_goes_from_intake_down_two_levels_to_a_reply_the_reporter_can_read,
    lifecycle::a_sibling_county_cannot_see_the_case_and_a_lower_unit_cannot_act_above_itself,
    lifecycle::an_illegal_transition_gets_409_with_the_allowed_actions,
    lifecycle::a_case_past_its_handling_limit_is_overdue_and_extends_once_only,
    lifecycle::routing_only_goes_down_and_inside_the_cases_region,
    intake::a_malformed_body_gets_a_problem_naming_the_field_and_writes_nothing,
    intake::a_replayed_idempotency_key_creates_nothing_new,
    intake::staff_channels_need_a_signed_in_staff_member_of_that_jurisdiction,
    intake::search_filters_and_pages_within_the_jurisdiction,
    tracking::the_reporter_tracks_with_the_secret_or_phone_and_sees_no_one,
    tracking::reading_the_reporter_is_for_the_handling_chain_and_is_recorded,
    sessions::sign_in_and_out_with_argon2id_hashed_passwords,
    sessions::the_openapi_document_lists_every_route,
    pages::every_page_is_chinese_and_fits_a_phone,
    pages::the_report_form_registers_a_case_through_intake,
    pages::a_bad_report_shows_each_fields_error_and_keeps_what_was_typed,
    pages::a_form_post_without_its_csrf_token_is_refused,
    pages::the_console_sends_the_signed_out_to_login_and_acts_like_the_api,
    pages::the_console_reviews_types_and_merges_repeats_like_the_api,
    review::intake_suggests_types_and_staff_confirm_or_correct_them,
    review::a_repeat_of_a_case_in_hand_is_merged_rejected_and_counted,
    same_source::earlier_reports_of_the_same_source_are_suggested_within_the_jurisdiction,
    stats::grouped_counts_equal_plain_sql_for_random_queries,
    stats::shares_scope_and_new_cases_behave_as_analysts_expect,
    stats::trends_alerts_and_reports_rest_on_the_same_counts,
    topics::a_planted_term_stands_out_within_the_jurisdiction,
    air::a_citys_days_today_and_month_come_from_its_stations,
    air::bad_air_requests_get_problems,
    air::one_reading_gets_the_engines_answer,
    air::a_year_sums_its_months_and_tests_the_pm25_trend,
    air::the_air_page_shows_the_level_sentence_and_chart,
    search::a_county_never_finds_a_neighbouring_countys_cases,
    search::a_new_or_changed_case_is_found_within_moments,
    search::bad_search_parameters_get_a_problem_naming_the_parameter,
    search::the_console_searches_the_texts_and_shows_the_passage,
    search::an_index_on_disk_catches_up_after_a_restart_without_rebuilding,
);
