using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace NetGen.Tests.Packages;

/// <summary>A finished process: its exit code and what it wrote, stdout, then stderr.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>The lines MSBuild reports as warnings (<c>: warning CODE:</c>), each once.</summary>
    public IReadOnlyList<string> Warnings => Lines(": warning ");

    /// <summary>The lines MSBuild reports as errors (<c>: error CODE:</c>), each once.</summary>
    public IReadOnlyList<string> Errors => Lines(": error ");

    /// <summary>The command, its exit code and its last lines, for an assertion's message.</summary>
    public string Describe()
    {
        string[] lines = Output.Split('\n');
        return $"`{CommandLine}` exited with {ExitCode} after {Elapsed.TotalSeconds:F0} s:\n" + string.Join("\n", lines.Skip(Math.Max(0, lines.Length - 60)));
    }

    private List<string> Lines(string marker) =>
        Output.Split('\n').Where(l => l.Contains(marker, StringComparison.Ordinal)).Select(l => l.Trim()).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>Runs the .NET CLI (and the programs it builds) as a user would, outside the test host's environment.</summary>
internal static class Command
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    public static CommandResult Run(string workingDirectory, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's own settings (its MSBuild, its runtime's configuration) must not leak
        // into the builds: a user's shell has none of them.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k is "DOTNET_HOST_PATH" or "TESTINGPLATFORM_HOTRELOAD").ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        string killed = "";
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            killed = $"(killed after {Limit.TotalMinutes} minutes)\n";
        }

        process.WaitForExit();
        watch.Stop();
        string line = fileName + " " + string.Join(" ", arguments);
        return new CommandResult(line, process.ExitCode, stdout.Result + stderr.Result + killed, watch.Elapsed);
    }
}
