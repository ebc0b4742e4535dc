-- 审核决定：审核人对某项问题的确认（confirmed）或排除（dismissed），每条决定一行，含审核人、时间与理由。
-- 决定保存在数据仓库目录下的 decisions/decisions.jsonl（gkqc review 写入，只追加），不在重建的 DuckDB 文件中，
-- 因而在每次运行、每次重新发布后都保留；按 机关 × 年度 × 检查 × 对象 对应问题，不按文件哈希。
-- 决定记下审核人所见的问题（finding：期望值、实际值、单元格，及所见的报告版本）：只对证据相同的问题有效，
-- 重新发布而问题相同（证据相同）时照常有效；最新版本中该问题数值已变或已消失时为过期（stale），照常保留、显示，
-- 但不再适用，问题照常计分、待重新审核。未记录证据的旧决定（has_evidence 为假）照旧按 机关 × 年度 × 检查 × 对象
-- 适用，问题消失时过期，直到对该问题重新作出决定。
-- 同一问题在文件中最后写入的一条决定有效（is_current：文件只追加，行序即先后，与各条记录的时间戳无关）。
-- 文件的各行由构建程序读入内置表 decision_lines：不是 UTF-8 的行与不是 JSON 的行一样跳过。
-- (reviewers' decisions, kept outside the rebuilt database file and keyed by office, year, check and subject;
--  each records the finding it was made on, expected, actual and cells, and holds only for a finding with
--  that evidence: one whose finding changed or disappeared from the newest version is stale, kept but not
--  applied; a line without evidence, written before it was recorded, holds for its key as before;
--  the decision written last per key is current, whatever the clocks said; the file's lines come from
--  the built-in table decision_lines)
with parsed as (
    select json_extract_string(line, '$.office') as office,
           try_cast(json_extract_string(line, '$.report_year') as integer) as report_year,
           json_extract_string(line, '$.check_id') as check_id,
           coalesce(json_extract_string(line, '$.subject'), '') as subject,
           json_extract_string(line, '$.decision') as decision,
           json_extract_string(line, '$.reason') as reason,
           json_extract_string(line, '$.decided_by') as decided_by,
           try_cast(json_extract_string(line, '$.decided_at') as timestamp) as decided_at,
           coalesce(json_type(line, '$.finding') = 'OBJECT', false) as has_evidence,
           json_extract_string(line, '$.finding.report_id') as report_id,
           try_cast(json_extract_string(line, '$.finding.expected') as double) as expected,
           try_cast(json_extract_string(line, '$.finding.actual') as double) as actual,
           json_extract_string(line, '$.finding.cells') as cells,
           line_no
    from decision_lines
    where json_valid(line) and trim(line) <> ''
),
-- 报告所印的、如今经名录（别名、规范化名称）对应到另一机关的名称：按该名称所作的决定归于该机关；
-- 名称本身是某一机关（名录中的，或某份报告的机关）的，不改归
-- (printed names the registry now maps to an office, an alias added since: a decision made under
--  such a name follows the office; not a name that is itself an office, of the registry or of a report)
renamed as (
    select office_printed, any_value(office) as office from reports
    where office_printed is not null and office is not null and office <> office_printed
      and office_printed not in (select office from offices where office is not null)
      and office_printed not in (select office from reports where office is not null)
    group by office_printed having count(distinct office) = 1
),
valid as (
    select p.* replace (coalesce(m.office, p.office) as office), p.office as office_as_decided
    from parsed p left join renamed m on m.office_printed = p.office
    where p.office is not null and p.report_year is not null and p.check_id is not null
      and p.decision in ('confirmed', 'dismissed')
),
-- 各机关各年度最新版本中仍不通过的问题及其证据，按期（D1）以首次发布为准，与 findings 相同
-- (failures of the newest version of each office-year, with their evidence; the deadline's by the first
--  publication, as in findings)
current_fails as (
    select r.office, r.report_year, c.check_id, c.subject, c.expected, c.actual, c.cells
    from check_results c join reports r using (report_id)
    where c.status = 'fail' and r.is_latest and r.office is not null
      and not exists (select 1 from first_publications e where e.report_id = c.report_id and e.check_id = c.check_id)
    union all
    select r.office, r.report_year, e.check_id, '' as subject, e.expected, e.actual, e.cells
    from first_publications e join reports r using (report_id)
    where e.first_status = 'fail' and r.is_latest and r.office is not null
)
select d.office, d.office_as_decided, d.report_year, d.check_id, d.subject, d.decision, d.reason, d.decided_by,
       d.decided_at, d.has_evidence, d.report_id, d.expected, d.actual, d.cells, d.line_no,
       row_number() over (partition by d.office, d.report_year, d.check_id, d.subject
                          order by d.line_no desc) = 1 as is_current,
       -- 与 findings 对应决定的条件相同 (the same match as findings' join on decisions)
       not exists (select 1 from current_fails f
                   where f.office = d.office and f.report_year = d.report_year and f.check_id = d.check_id
                     and f.subject = d.subject
                     and (not d.has_evidence or (f.expected is not distinct from d.expected
                          and f.actual is not distinct from d.actual
                          -- 证据中所提报告的版本号只是记录（C1 所比的另一份报告再版，问题不变）
                          -- (a report version the evidence names is a record: C1's other report re-published is the same finding)
                          and regexp_replace(f.cells, '[0-9a-f]{32}', '', 'g')
                              is not distinct from regexp_replace(d.cells, '[0-9a-f]{32}', '', 'g')))) as stale
from valid d
