-- 地区评分卡：每个地区每个报告年度一行。应报机关数取自机关名录（无名录时为找到报告的机关数）。
-- (region scorecard: one row per region and report year)
with expected as (
    select region, count(*) as offices_expected from stg_offices group by region
)
select s.region, s.report_year,
       coalesce(max(e.offices_expected), count(*)) as offices_expected,
       count(s.report_id) as reports_found,
       round(avg(case when s.report_id is not null then (s.on_time is true)::int end), 4) as on_time_rate,
       round(avg(case when s.report_id is not null then (s.errors = 0)::int end), 4) as error_free_rate,
       round(avg(s.score), 2) as mean_score
from scorecard_office s left join expected e on e.region = s.region
group by s.region, s.report_year
