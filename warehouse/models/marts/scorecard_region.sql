-- 地区评分卡：每个地区每个报告年度一行。应报机关数：机关名录中该地区的机关，加上名录外、但找到其报告的机关
-- （无名录时即找到报告的机关数），因而已发布数不会超过应报数。
-- 按期发布率：已发布报告中能确定按期发布的比例；找不到发布日期的报告无法证明按期，不计为按期（D2 另行提示）。
-- (region scorecard: one row per region and report year; offices expected: the registry's offices of the
-- region and those outside it whose reports were found, so that reports found never exceed it; on_time_rate:
-- the share of reports found that were provably on time, a report without a publication date not among them)
select region, report_year,
       count(*) as offices_expected,
       count(report_id) as reports_found,
       -- 比例不取整：输出时再按规则显示（不足 1 的不显示为 100%） (rates kept whole: outputs print them)
       avg(case when report_id is not null then (on_time is true)::int end) as on_time_rate,
       avg(case when report_id is not null then (errors = 0)::int end) as error_free_rate,
       round(avg(score), 2) as mean_score
from scorecard_office
group by region, report_year
