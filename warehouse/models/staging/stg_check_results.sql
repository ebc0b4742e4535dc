-- 暂存层：湖中 check_results 表的全部 Parquet 文件 (staging: every Parquet part of the lake table)
select * from read_parquet('{lake}/check_results/*.parquet', union_by_name = true)
