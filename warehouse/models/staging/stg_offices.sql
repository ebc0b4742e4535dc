-- 暂存层：机关名录（收件箱中的 offices.csv，可无） (office registry from the inbox, optional)
select * from read_parquet({parts:offices}, union_by_name = true)
