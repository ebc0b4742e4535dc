-- 按期以该年度首次发布为准：机关年度的首个版本能判断按期与否（D1 通过或不通过）时，其后各版本（更正、修订、重新发布）
-- 的 D1 一律以首个版本的结果为准——首个版本按期的，后来版本晚于期限不算逾期；首个版本逾期的，后来版本未注明日期
-- 或日期不同也仍是逾期。
-- (the deadline is judged by an office-year's first publication: when the first version's D1 passed or failed, every
--  later version's D1 is that result, so a late correction of an on-time year is no finding, and an undated
--  re-publication of a late year does not make it unknown)
with deadline as (
    select id as check_id from check_catalog where kind = 'procedural' and rule = 'on_time'
)
select r.report_id, d.check_id, f.report_id as first_report_id, f.published_at as first_published_at,
       d.status as first_status, d.severity, d.expected, d.actual, d.difference, d.cells, d.message
from reports r
join reports f on f.versions_of = r.versions_of and f.report_year = r.report_year and f.version_no = 1
join check_results d on d.report_id = f.report_id and d.status in ('pass', 'fail')
where r.version_no > 1 and d.check_id in (select check_id from deadline)
