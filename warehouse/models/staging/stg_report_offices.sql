-- 暂存层：报告机关名称与名录的对应（仅所印名称不是名录中机关原名的报告，见 gkqc/offices.py）
-- (staging: how each report's office was found, for reports not printing a registry name exactly)
select * from read_parquet({parts:report_offices}, union_by_name = true)
