-- 地区评分卡：每个地区每个报告年度一行。应报机关数：机关名录中该地区的机关，加上名录外、但找到其报告的机关
-- （无名录时即找到报告的机关数），因而已发布数不会超过应报数。
-- (region scorecard: one row per region and report year; offices expected: the registry's offices of the
-- region and those outside it whose reports were found, so that reports found never exceed it)
select region, report_year,
       count(*) as offices_expected,
       count(report_id) as reports_found,
       round(avg(case when report_id is not null then (on_time is true)::int end), 4) as on_time_rate,
       round(avg(case when report_id is not null then (errors = 0)::int end), 4) as error_free_rate,
       round(avg(score), 2) as mean_score
from scorecard_office
group by region, report_year
