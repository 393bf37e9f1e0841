using System;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/NetGen.Benchmarks -- --filter '*'
// BenchmarkDotNet builds its own copy of this project, whose generator compiles every benchmark
// network (N3's 2M weights inline among them); on a 2-core machine that takes longer than its
// default two-minute build timeout, after which no benchmark runs. Ten minutes leaves room.
IConfig config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10));
BenchmarkSwitcher.FromAssembly(typeof(NetGen.Benchmarks.NetworkBenchmark).Assembly).Run(args, config);
