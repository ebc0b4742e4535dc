-- 第二部分 主动公开政府信息情况：每个单元格一行；金额按模板的单位（templates.yaml 的 unit）统一，原文保留在 raw
-- (section 二 cells; amounts in the template's unit, raw text kept)
select c.report_id, c.block_id, c.row_id, c.metric_id, c.value, c.unit, c.raw, c.status, c.reason, c.line,
       rl.label as row_label, ml.label as metric_label
from stg_active_disclosure c
left join stg_reports r using (report_id)
left join template_labels rl on rl.template = r.printed_form and rl."table" = 'active_row' and rl.id = c.block_id || '.' || c.row_id
left join template_labels ml on ml.template = r.printed_form and ml."table" = 'active_metric' and ml.id = c.block_id || '.' || c.metric_id
