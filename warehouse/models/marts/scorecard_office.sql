-- 机关评分卡：每个机关每个报告年度一行，按该年度最新版本报告计分。
-- 计分：100 分起，每项不通过的 error 检查、warning 检查各扣 scoring 表所定的分数（同一检查多处不通过只扣一次），最低 0 分；
-- 等级按 scoring 表的分数线（checks/settings.yaml 的 scoring）。
-- 审核人已排除（dismissed，见 decisions）的问题不计分、不计入错误与警告数，另计 dismissed；已排除的逾期（D1）视为按期。
-- 按期以该年度首次发布为准（first_publications）：首次发布按期的，之后晚于期限发布的更正版本不算逾期，不扣分；
-- 首次发布逾期的，之后的版本未注明日期也仍算逾期。发布日期 published_at 是按期所依据的日期，即首次发布的。
-- 名录中有、但当年未找到报告的机关记 0 分、等级 F，错误数等为空（没有可数的报告）。
-- 只为适用全国统一表格模板的年度评分：更早年度（旧版自由格式）的报告不做检查，保留在 reports 中，不评分。
-- (office scorecard: one row per office and report year, from the newest version; years whose template
-- has no national tables are not checked and not scored)
with latest as (
    select * from reports r
    where is_latest and office is not null and report_year is not null
      and not exists (select 1 from templates t
                      where not t.has_tables and r.report_year between t.first_year and t.last_year)
),
-- 按期发布的检查：套件中使用 on_time 函数的条目（即 D1） (the deadline check: the suite's entry of function on_time)
deadline as (
    select id as check_id from check_catalog where kind = 'procedural' and rule = 'on_time'
),
-- 只读取不通过的结果（findings）与按期发布结果：检查结果远多于报告 (only failures and the deadline check are read)
fails as (
    select report_id,
           count(distinct check_id) filter (where severity = 'error' and not dismissed) as error_checks,
           count(distinct check_id) filter (where severity = 'warning' and not dismissed) as warning_checks,
           count(*) filter (where severity = 'error' and not dismissed) as errors,
           count(*) filter (where severity = 'warning' and not dismissed) as warnings,
           count(*) filter (where dismissed) as dismissed,
           -- 依赖"空白按0计"假设的不通过结果 (failures that rest on blanks counted as 0)
           count(*) filter (where not dismissed and starts_with(message, (select prefix from message_notes
                                                                          where note = 'on_blanks'))) as on_blanks,
           bool_or(check_id in (select check_id from deadline) and dismissed) as d1_dismissed
    from findings where is_latest
    group by report_id
),
on_time as (
    select report_id, max(status) as d1 from check_results semi join deadline using (check_id) group by report_id
),
per_report as (
    select l.report_id,
           coalesce(f.error_checks, 0) as error_checks, coalesce(f.warning_checks, 0) as warning_checks,
           coalesce(f.errors, 0) as errors, coalesce(f.warnings, 0) as warnings,
           coalesce(f.dismissed, 0) as dismissed, coalesce(f.on_blanks, 0) as on_blanks,
           -- 以首次发布的结果为准（first_publications）；逾期已被排除的：按期 (the first publication's result; lateness dismissed: on time)
           case when coalesce(e.first_status, d.d1) = 'fail' and f.d1_dismissed then 'pass'
                else coalesce(e.first_status, d.d1) end as d1,
           -- 按期所依据的发布日期：首次发布的（其后更正版本的日期不改变按期与否） (the date on_time is judged by)
           coalesce(e.first_published_at, l.published_at) as published_at
    from latest l left join fails f using (report_id) left join on_time d using (report_id)
    left join first_publications e using (report_id)
),
scored as (
    select l.office, coalesce(o.region, l.region) as region, coalesce(o.office_kind, l.office_kind) as office_kind,
           l.report_year, l.report_id, l.versions, p.published_at, l.template,
           greatest(0, 100 - k.error_points * p.error_checks - k.warning_points * p.warning_checks) as score,
           case p.d1 when 'pass' then true when 'fail' then false end as on_time,
           p.errors, p.warnings, p.error_checks, p.warning_checks, p.dismissed, p.on_blanks
    from latest l join per_report p using (report_id) cross join scoring k
    left join stg_offices o on o.office = l.office
),
years as (select distinct report_year from latest),
-- 名录未填地区、类别的机关：未发布的年度也取其报告所示的（最近年度的），与有报告的年度一致
-- (an office the registry gives no region or kind: its unpublished years take its reports', the latest year's)
shown as (
    select office, arg_max(region, report_year) as region, arg_max(office_kind, report_year) as office_kind
    from scored group by office
),
unpublished as (
    select o.office, coalesce(o.region, w.region) as region, coalesce(o.office_kind, w.office_kind) as office_kind,
           y.report_year, null::varchar as report_id, null::bigint as versions,
           null::date as published_at,
           null::varchar as template, 0 as score, false as on_time,
           -- 无报告可数：错误、警告等为空，不记 0 (no report to count in: the counts are NULL, not 0)
           null::bigint as errors, null::bigint as warnings,
           null::bigint as error_checks, null::bigint as warning_checks, null::bigint as dismissed, null::bigint as on_blanks
    from stg_offices o cross join years y left join shown w on w.office = o.office
    where not exists (select 1 from scored s where s.office = o.office and s.report_year = y.report_year)
),
allrows as (select * from scored union all select * from unpublished)
select office, region, office_kind, report_year, report_id, versions, published_at, template, score,
       case when report_id is null then 'F'
            when score >= k.grade_a then 'A' when score >= k.grade_b then 'B' when score >= k.grade_c then 'C'
            else 'D' end as grade,
       on_time, errors, warnings, error_checks, warning_checks, dismissed, on_blanks,
       rank() over (partition by region, report_year order by score desc) as rank_in_region
from allrows cross join scoring k
