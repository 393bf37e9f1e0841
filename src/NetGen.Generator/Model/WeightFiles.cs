using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen.Generator.Model;

/// <summary>A weight file the build embeds: its full path, its length in bytes, and the manifest resource it becomes.</summary>
internal sealed record WeightFile(string FullPath, long Length, string ResourceName);

/// <summary>
/// The weight files of a project, as the build passes them to the generator: the MSBuild
/// property <c>NetGenWeightFiles</c> (written by NetGen.Runtime.targets from the project's
/// <c>NetGenWeights</c> items) holds one <c>full path|length|resource name</c> entry per file,
/// each field escaped as URI data, entries separated by <c>,</c> (an <c>.editorconfig</c> value
/// ends at <c>;</c> or <c>#</c>, which paths may hold).
/// </summary>
/// <remarks>
/// The generator never opens a weight file: analyzers must not do file I/O, and a file of
/// hundreds of MB read as text would cost the build its time and memory. The build measures
/// the files and embeds them; the generator checks shapes against the measured lengths.
/// Equality contract: value equality over the entries, so an unchanged project caches.
/// </remarks>
internal sealed record WeightFiles(EquatableArray<WeightFile> Files)
{
    /// <summary>The MSBuild property, as an analyzer config option.</summary>
    public const string PropertyName = "build_property.NetGenWeightFiles";

    public static readonly WeightFiles None = new(EquatableArray<WeightFile>.Empty);

    /// <summary>Reads the property's value; malformed entries are skipped (the build writes it, not the user).</summary>
    public static WeightFiles Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return None;
        }

        var files = new List<WeightFile>();
        foreach (string entry in value!.Split(','))
        {
            string[] parts = entry.Trim().Split('|');
            if (parts.Length == 3 && parts[0].Length > 0 && parts[2].Length > 0
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long length))
            {
                files.Add(new WeightFile(Normalize(Uri.UnescapeDataString(parts[0])), length, Uri.UnescapeDataString(parts[2])));
            }
        }

        return new WeightFiles(files.ToEquatableArray());
    }

    /// <summary>The entry for a full path, if the build passed one.</summary>
    public WeightFile? Find(string fullPath)
    {
        string path = Normalize(fullPath);
        foreach (WeightFile file in Files)
        {
            // Case-insensitive: on Windows one file may be spelled two ways; on other systems two
            // files that differ only in case side by side would be a strange project indeed.
            if (string.Equals(file.FullPath, path, StringComparison.OrdinalIgnoreCase))
            {
                return file;
            }
        }

        return null;
    }

    /// <summary>The full path of <paramref name="file"/>, named relative to the description at <paramref name="descriptionPath"/>.</summary>
    public static string Resolve(string descriptionPath, string file)
    {
        string relative = file.Replace('\\', '/');
        if (relative.StartsWith("/", StringComparison.Ordinal) || (relative.Length > 1 && relative[1] == ':'))
        {
            return Normalize(relative);
        }

        string directory = descriptionPath.Replace('\\', '/');
        int slash = directory.LastIndexOf('/');
        return Normalize(slash < 0 ? relative : directory.Substring(0, slash + 1) + relative);
    }

    /// <summary>Forward slashes, and no <c>.</c> or <c>..</c> segments: the spelling paths are compared in.</summary>
    public static string Normalize(string path)
    {
        string[] segments = path.Replace('\\', '/').Split('/');
        var kept = new List<string>(segments.Length);
        for (int i = 0; i < segments.Length; i++)
        {
            string segment = segments[i];
            if (segment == "." || (segment.Length == 0 && i > 0 && i < segments.Length - 1))
            {
                continue;
            }

            if (segment == ".." && kept.Count > 0 && kept[kept.Count - 1] is not (".." or "") && !kept[kept.Count - 1].EndsWith(":", StringComparison.Ordinal))
            {
                kept.RemoveAt(kept.Count - 1);
                continue;
            }

            kept.Add(segment);
        }

        return string.Join("/", kept);
    }
}
