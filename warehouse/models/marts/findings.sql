-- 问题清单：每个报告版本（包括被更正版本取代的旧版本）的每项不通过结果一行，附审核决定与整改状态；
-- 按期（D1）以该年度首次发布为准（见 first_publications）：首次发布按期的，其余版本的逾期不在其中；首次发布逾期的，
-- 其后各版本都有这项逾期（消息注明按首次发布计）。
-- version_no：同一机关同一年度各版本按发布先后编号（最新版本即 is_latest）。
-- decision：该问题（机关 × 年度 × 检查 × 对象）当前有效的审核决定，且是就证据（期望值、实际值、单元格）相同的问题
--   作出的（未记录证据的旧决定不论证据），无则为空；dismissed 的问题不计分。
-- rectification：同一机关年度有多个版本时——旧版本中的问题在最新版本中检查通过为"已整改"，仍不通过为"未整改"，
--   最新版本中无法判断（单元格未能读取等）或未作此项检查为"无法判断"；最新版本中的问题若旧版本中已有，也为"未整改"；
--   只有一个版本或新出现的问题为空。最新版本没有该对象的结果时，看该检查对整份报告的结果
--   （按单元格报告问题的检查，如 A4、P4、R4、P5、S5，通过时只有整份报告的一条结果；有单元格未能判断时也有一条）；
--   两者都没有而按单元格的检查（cell 类）在最新版本中有其他单元格的结果时，该单元格已符合，为"已整改"。
-- (every failing result of every report version, with the current decision and the rectification status)
with versions as (
    select r.report_id, r.office, coalesce(o.region, r.region) as region, r.report_year, r.published_at,
           r.is_latest, r.versions, r.version_no, r.versions_of,
           any_value(r.report_id) filter (where r.is_latest)
               over (partition by r.versions_of, r.report_year) as latest_report_id
    from reports r left join offices o on o.office = r.office
),
fails as (
    select v.office, v.versions_of, v.region, v.report_year, v.report_id, v.published_at, v.version_no, v.versions, v.is_latest,
           v.latest_report_id, c.check_id, c.severity, c.subject, c.expected, c.actual, c.difference, c.cells, c.message
    from check_results c join versions v using (report_id)
    where c.status = 'fail'
      -- 其余版本的按期结果以首次发布为准 (another version's deadline result is the first publication's)
      and not exists (select 1 from first_publications e where e.report_id = c.report_id and e.check_id = c.check_id)
    union all
    -- 首次发布逾期：其余各版本同样逾期 (a first publication late: every other version is late with it)
    select v.office, v.versions_of, v.region, v.report_year, v.report_id, v.published_at, v.version_no, v.versions, v.is_latest,
           v.latest_report_id, e.check_id, e.severity, '' as subject, e.expected, e.actual, e.difference, e.cells,
           '按首次发布（第 ' || e.first_version_no || ' 版）计：' || e.message as message
    from first_publications e join versions v using (report_id)
    where e.first_status = 'fail'
),
-- 有多个版本的机关年度：最新版本的各项结果（只读这些报告的结果，不为整改状态读入全部结果）
-- (the results of the newest version of office-years with several versions: only those reports' results
--  are read for the rectification status, never all results, which a join over them would hold in memory)
newest as (
    select report_id, check_id, subject, status from check_results
    where report_id in (select latest_report_id from versions where versions > 1)
),
keyed as (
    select *,
           bool_or(is_latest) over k as in_latest,
           bool_or(not is_latest) over k as in_earlier
    from fails
    window k as (partition by versions_of, report_year, check_id, subject)
)
select f.office, f.region, f.report_year, f.report_id, f.published_at, f.version_no, f.versions, f.is_latest,
       f.latest_report_id, f.check_id, k.title as check_title, f.severity, f.subject, f.expected, f.actual,
       f.difference, f.cells, f.message,
       d.decision, d.reason as decision_reason, d.decided_by, d.decided_at,
       coalesce(d.decision = 'dismissed', false) as dismissed,
       case when f.versions < 2 then null
            when not f.is_latest and not f.in_latest
                 and coalesce(now.status, whole.status, case when seen.check_id is not null then 'pass' end) = 'pass'
                 then '已整改'
            when not f.is_latest and not f.in_latest then '无法判断'
            when not f.is_latest or f.in_earlier then '未整改' end as rectification
from keyed f
left join newest now
       on now.report_id = f.latest_report_id and now.check_id = f.check_id and now.subject = f.subject
-- 按单元格报告问题的检查通过时只有整份报告的一条结果 (checks that fail per cell pass once per report)
left join newest whole
       on whole.report_id = f.latest_report_id and whole.check_id = f.check_id and whole.subject = ''
      and f.subject <> ''
-- 按单元格的检查（cell 类）在最新版本中有结果（只在其他单元格上）：没有本单元格的结果即本单元格符合；其他类的检查
-- 只对所判断的对象有结果（模板改了、正文不再陈述），没有结果不等于符合 (a cell rule with results in the newest
-- version, on other cells only: this cell held; other kinds give rows only for what they judged)
left join (select distinct n.report_id, n.check_id from newest n join check_catalog c on c.id = n.check_id and c.kind = 'cell') seen
       on seen.report_id = f.latest_report_id and seen.check_id = f.check_id and f.subject <> ''
left join check_catalog k on k.id = f.check_id
-- 决定只对审核人所见的问题有效：证据不同的同键问题是另一项问题，待审核（与 decisions 的 stale 条件相同）
-- (a decision holds for the finding the reviewer saw: one of the same key with other evidence is another)
left join decisions d
       on d.is_current and d.office = f.office and d.report_year = f.report_year
      and d.check_id = f.check_id and d.subject = f.subject
      and (not d.has_evidence or (d.expected is not distinct from f.expected
           and d.actual is not distinct from f.actual
           and regexp_replace(d.cells, '[0-9a-f]{32}', '', 'g')  -- (a report version named: a record, as in decisions)
               is not distinct from regexp_replace(f.cells, '[0-9a-f]{32}', '', 'g')))
