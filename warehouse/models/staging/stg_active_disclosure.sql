-- 暂存层：湖中 active_disclosure 表的全部 Parquet 文件 (staging: every Parquet part of the lake table)
select * from read_parquet('{lake}/active_disclosure/*.parquet', union_by_name = true)
