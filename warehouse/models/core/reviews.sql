-- 第四部分 行政复议、行政诉讼情况：每个单元格一行 (section 四 cells, labelled in the report's own template's words)
select c.report_id, c.group_id, c.metric_id, c.value, c.raw, c.status, c.reason, c.line,
       gl.label as group_label, ml.label as metric_label
from stg_reviews c
left join stg_reports r using (report_id)
left join template_labels gl on gl.template = r.printed_form and gl."table" = 'review_group' and gl.id = c.group_id
left join template_labels ml on ml.template = r.printed_form and ml."table" = 'review_metric' and ml.id = c.metric_id
