-- 审核决定：审核人对某项问题的确认（confirmed）或排除（dismissed），每条决定一行，含审核人、时间与理由。
-- 决定保存在数据仓库目录下的 decisions/decisions.jsonl（gkqc review 写入，只追加），不在重建的 DuckDB 文件中，
-- 因而在每次运行、每次重新发布后都保留；按 机关 × 年度 × 检查 × 对象 对应问题，不按文件哈希。
-- 同一问题在文件中最后写入的一条决定有效（is_current：文件只追加，行序即先后，与各条记录的时间戳无关）；
-- 该机关该年度最新版本中已无此问题的决定为过期（stale），照常保留。
-- 文件的各行由构建程序读入内置表 decision_lines：不是 UTF-8 的行与不是 JSON 的行一样跳过。
-- (reviewers' decisions, kept outside the rebuilt database file and keyed by office, year, check and subject;
--  the decision written last per finding is current, whatever the clocks said; one whose finding has
--  disappeared is stale; the file's lines come from the built-in table decision_lines)
with parsed as (
    select json_extract_string(line, '$.office') as office,
           try_cast(json_extract_string(line, '$.report_year') as integer) as report_year,
           json_extract_string(line, '$.check_id') as check_id,
           coalesce(json_extract_string(line, '$.subject'), '') as subject,
           json_extract_string(line, '$.decision') as decision,
           json_extract_string(line, '$.reason') as reason,
           json_extract_string(line, '$.decided_by') as decided_by,
           try_cast(json_extract_string(line, '$.decided_at') as timestamp) as decided_at,
           line_no
    from decision_lines
    where json_valid(line) and trim(line) <> ''
),
-- 报告所印的、如今经名录（别名、规范化名称）对应到另一机关的名称：按该名称所作的决定归于该机关
-- (printed names the registry now maps to an office, an alias added since: a decision made under
--  such a name follows the office)
renamed as (
    select office_printed, any_value(office) as office from reports
    where office_printed is not null and office is not null and office <> office_printed
    group by office_printed having count(distinct office) = 1
),
valid as (
    select p.* replace (coalesce(m.office, p.office) as office), p.office as office_as_decided
    from parsed p left join renamed m on m.office_printed = p.office
    where p.office is not null and p.report_year is not null and p.check_id is not null
      and p.decision in ('confirmed', 'dismissed')
),
-- 各机关各年度最新版本中仍不通过的问题 (findings of the newest version of each office-year)
current_fails as (
    select distinct r.office, r.report_year, c.check_id, c.subject
    from check_results c join reports r using (report_id)
    where c.status = 'fail' and r.is_latest and r.office is not null
)
select d.office, d.office_as_decided, d.report_year, d.check_id, d.subject, d.decision, d.reason, d.decided_by,
       d.decided_at, d.line_no,
       row_number() over (partition by d.office, d.report_year, d.check_id, d.subject
                          order by d.line_no desc) = 1 as is_current,
       f.office is null as stale
from valid d
left join current_fails f
       on f.office = d.office and f.report_year = d.report_year and f.check_id = d.check_id and f.subject = d.subject
