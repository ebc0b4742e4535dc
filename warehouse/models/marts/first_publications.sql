-- 按期以该年度首次发布为准：机关年度的首次发布能判断按期与否（D1 通过或不通过）时，其余各版本（更正、修订、重新发布，
-- 以及页面的附件）的 D1 一律以首次发布的结果为准——首次发布按期的，后来版本晚于期限不算逾期；首次发布逾期的，后来版本
-- 未注明日期或日期不同也仍是逾期。
-- 首次发布是公众能看到报告之日：由页面日期（元数据、PubDate、页面发布时间）确定发布的最早版本；只有落款日期的版本（PDF、
-- Word 附件）的日期是签发之日，不是发布之日，只有在该年度没有页面日期的版本时，才以最早版本（第 1 版）为首次发布。
-- 更正版本（标题注明更正、修订、更新等）不是首次发布：该年度有未注明更正的版本时，只在这些版本中取。
-- (the deadline is judged by an office-year's first publication: when its D1 passed or failed, every other version's
--  D1 is that result, so a late correction of an on-time year is no finding, and an undated re-publication of a late
--  year does not make it unknown. The first publication is the earliest version a page dates (metadata, PubDate, the
--  page's 发布时间): a version dated only by its 落款 (a PDF, a Word attachment) was signed that day, not seen; it is
--  the first publication only in a year no page dates. A correction (its title says so: gkqc.versions) is no first
--  publication when the year holds a version that is not one)
with deadline as (
    select id as check_id from check_catalog where kind = 'procedural' and rule = 'on_time'
),
ranked as (
    select versions_of, report_year, version_no, published_at is not null and published_source <> '落款日期' as page_dated,
           {is_correction} and not bool_and({is_correction}) over (partition by versions_of, report_year) as later_correction
    from reports
),
firsts as (
    select versions_of, report_year,
           coalesce(min(version_no) filter (where page_dated and not later_correction), 1) as version_no
    from ranked group by versions_of, report_year
)
select r.report_id, d.check_id, f.report_id as first_report_id, f.version_no as first_version_no,
       f.published_at as first_published_at,
       d.status as first_status, d.severity, d.expected, d.actual, d.difference, d.cells, d.message
from reports r
join firsts v on v.versions_of = r.versions_of and v.report_year = r.report_year
join reports f on f.versions_of = r.versions_of and f.report_year = r.report_year and f.version_no = v.version_no
join check_results d on d.report_id = f.report_id and d.status in ('pass', 'fail')
where r.report_id <> f.report_id and d.check_id in (select check_id from deadline)
