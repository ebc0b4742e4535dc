-- 机关名称对应清单：报告所印名称（或未印名称的报告）与名录机关的对应，每个所印名称与结果一行，附报告数。
-- proposal（近似，如 OCR 把 沭阳 识别为 沐阳）只是提议，从不自动合并：确认后在 offices.csv 中为该机关加别名；
-- unmatched 名录中没有；ambiguous 可能是名录中多个机关（未写全地名），未合并，机关留空；unknown 报告未印机关名称，可用 offices.csv 的 paths 列按路径指定；
-- normalised / alias / path 为已采用的对应。所印名称与名录原名完全一致的不列出，除非它也可能是名录中另一机关（未写全地名，路径未能确定：exact，附说明）。
-- (office names for the user: near matches proposed, never merged; names not in the registry; reports
-- without an office; and the matches applied)
with counted as (
    select m.office_printed, m.office_match, m.office, m.office_proposed, m.office_note,
           count(*) as reports, min(d.source_path) as example_path
    from stg_report_offices m
    left join (select report_id, min(source_path) as source_path from stg_documents group by report_id) d
           on d.report_id = m.report_id
    group by all
)
select * from counted
order by case office_match when 'proposal' then 1 when 'ambiguous' then 2 when 'unmatched' then 3 when 'unknown' then 4 else 5 end,
         reports desc, office_printed nulls first
