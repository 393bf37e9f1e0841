using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using NetGen.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Generator;

/// <summary>
/// Seeded mutations of real descriptions (truncations, wrong types and sizes, unknown keys,
/// random characters, deep nesting, huge numbers, 10 MB files): the generator answers each with
/// diagnostics inside the file or with code, never with an exception, and never both.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const string Source = "[NetGen.Network(\"net.netgen.json\")] public static partial class Net;";

    /// <summary>A guard against hangs, not a speed requirement: no case comes near it.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static readonly string[] Bases =
    [
        Read("lesson.netgen.json"),
        Read("block.netgen.json"),
        Read("digits.netgen.json"),
    ];

    private static readonly string[] Tokens =
    [
        "1e999", "-1e400", "1e39", "-3.5e38", "123456789012345678901234567890", "0", "-1", "2.5", "-0", "1E-50",
        "\"relu\"", "\"\"", "true", "null", "[]", "{}", "[[]]", "{\"shape\": [1], \"dtype\": \"f32\", \"base64\": \"AAAA\"}",
        "\"conv2d\"", "\"layer_norm\"", "\"swiglu\"", "\"residual\"", "\"linear\"", "\"\\u0000\"", "\"\\ud800\"",
    ];

    [Fact]
    public void Two_thousand_mutations_give_diagnostics_or_code_and_never_an_exception()
    {
        var random = new Random(3);
        var slowest = TimeSpan.Zero;
        int withErrors = 0;
        for (int i = 0; i < 2000; i++)
        {
            string json = Mutate(random, Bases[random.Next(Bases.Length)]);
            var (elapsed, errors) = Check(json, $"mutation {i}");
            slowest = elapsed > slowest ? elapsed : slowest;
            withErrors += errors ? 1 : 0;
        }

        output.WriteLine($"2000 mutations, {withErrors} with errors, {2000 - withErrors} generated code; slowest {slowest.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void Ten_megabyte_descriptions_are_answered_without_an_exception()
    {
        const int TenMegabytes = 10 * 1024 * 1024;
        var random = new Random(10);
        string numbers = string.Join(", ", Enumerable.Range(0, TenMegabytes / 12).Select(_ => random.NextDouble().ToString("F8", System.Globalization.CultureInfo.InvariantCulture)));
        string[] cases =
        [
            new string('[', TenMegabytes),
            string.Concat(Enumerable.Repeat("{\"a\":", TenMegabytes / 5)),
            "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": [[" + numbers + "]] } ] }",
            "{ \"format\": \"netgen/1\", \"input\": 2, \"layers\": [ { \"op\": \"linear\", \"out\": 1, \"weight\": [[" + numbers + ", x]] } ] }",
            "{ \"format\": \"netgen/1\", \"input\": 2, \"description\": \"" + new string('d', TenMegabytes) + "\", \"layers\": [ { \"op\": \"relu\" } ] }",
            new string(Enumerable.Range(0, TenMegabytes).Select(_ => (char)random.Next(1, 0xD7FF)).ToArray()),
        ];

        foreach (string json in cases)
        {
            var (elapsed, _) = Check(json, $"{json.Length / 1024 / 1024} MB case starting {json[..Math.Min(20, json.Length)]}");
            output.WriteLine($"{json.Length:N0} chars: {elapsed.TotalMilliseconds:F0} ms");
        }
    }

    private static (TimeSpan Elapsed, bool Errors) Check(string json, string context)
    {
        var stopwatch = Stopwatch.StartNew();
        var task = Task.Run(() => GeneratorHarness.Run(Source, ("/net.netgen.json", json)));
        Assert.True(task.Wait(HangGuard), $"{context}: no answer within {HangGuard}");
        GeneratorRun run = task.Result;
        stopwatch.Stop();

        Assert.All(run.Result.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8785" or "NG0999");
        bool errors = run.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        Assert.True(errors != run.Sources.Any(), $"{context}: {(errors ? "code for a broken description" : "no code and no error")}");
        foreach (Diagnostic d in run.Diagnostics)
        {
            FileLinePositionSpan span = d.Location.GetLineSpan();
            Assert.Equal("/net.netgen.json", span.Path);
            Assert.InRange(d.Location.SourceSpan.End, 0, json.Length);
        }

        return (stopwatch.Elapsed, errors);
    }

    private static string Mutate(Random random, string json)
    {
        int at = random.Next(json.Length);
        switch (random.Next(10))
        {
            case 0: // truncate
                return json[..at];
            case 1: // replace a few characters with JSON punctuation or any character
            {
                var chars = json.ToCharArray();
                for (int k = random.Next(1, 6); k > 0; k--)
                {
                    chars[random.Next(chars.Length)] = random.Next(2) == 0 ? "{}[]\",:-.0123456789eE \n\\"[random.Next(24)] : (char)random.Next(1, 0xFFFF);
                }

                return new string(chars);
            }

            case 2: // delete a range
                return json.Remove(at, Math.Min(random.Next(1, 200), json.Length - at));
            case 3: // duplicate a range
                return json.Insert(at, json.Substring(at, Math.Min(random.Next(1, 200), json.Length - at)));
            case 4: // replace a number with another token: huge numbers, wrong types
                return ReplaceToken(random, json, c => char.IsDigit(c) || c == '-');
            case 5: // replace a string with another token: unknown ops, wrong types
                return ReplaceToken(random, json, c => c == '"');
            case 6: // an unknown key in a random object
            {
                int brace = json.IndexOf('{', at);
                return brace < 0 ? json : json.Insert(brace + 1, "\"zzz\": 1, ");
            }

            case 7: // a size that disagrees
            {
                int key = json.IndexOf("\"out\": ", at, StringComparison.Ordinal);
                key = key < 0 ? json.IndexOf("\"input\": ", StringComparison.Ordinal) : key;
                if (key < 0)
                {
                    return json;
                }

                int start = json.IndexOf(':', key) + 2;
                int end = start;
                while (end < json.Length && char.IsDigit(json[end]))
                {
                    end++;
                }

                return json[..start] + random.Next(-1, 400).ToString(System.Globalization.CultureInfo.InvariantCulture) + json[end..];
            }

            case 8: // deep nesting inside the document
            {
                int depth = random.Next(10, 5000);
                return json.Insert(at, new string('[', depth) + new string(']', random.Next(depth + 1)));
            }

            default: // random characters
                return new string(Enumerable.Range(0, random.Next(0, 300)).Select(_ => (char)random.Next(1, 0x3000)).ToArray());
        }
    }

    private static string ReplaceToken(Random random, string json, Func<char, bool> isStart)
    {
        int start = random.Next(json.Length);
        while (start < json.Length && !isStart(json[start]))
        {
            start++;
        }

        if (start >= json.Length)
        {
            return json;
        }

        int end = start + 1;
        if (json[start] == '"')
        {
            while (end < json.Length && json[end] != '"')
            {
                end++;
            }

            end = Math.Min(end + 1, json.Length);
        }
        else
        {
            while (end < json.Length && (char.IsDigit(json[end]) || json[end] is '.' or 'e' or 'E' or '-' or '+'))
            {
                end++;
            }
        }

        return json[..start] + Tokens[random.Next(Tokens.Length)] + json[end..];
    }

    private static string Read(string name) =>
        Fixtures.Network(name);
}
