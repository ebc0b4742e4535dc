-- 暂存层：湖中 sections 表的全部 Parquet 文件 (staging: every Parquet part of the lake table)
select * from read_parquet('{lake}/sections/*.parquet', union_by_name = true)
