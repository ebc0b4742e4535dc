-- 暂存层：湖中 check_results 表在最近一次提交中的全部 Parquet 文件 (staging: the lake table's parts as of the last commit)
select * from read_parquet({parts:check_results}, union_by_name = true)
