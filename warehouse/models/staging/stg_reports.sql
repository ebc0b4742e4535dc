-- 暂存层：湖中 reports 表在最近一次提交中的全部 Parquet 文件 (staging: the lake table's parts as of the last commit)
-- 表格所按的印刷形式：模板变体，否则模板 (printed_form: the variant a report prints, else its template)
select *, coalesce(template_variant, template) as printed_form
from read_parquet({parts:reports}, union_by_name = true)
