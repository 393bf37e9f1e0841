using System;
using System.Collections.Generic;

namespace NetGen.Cli;

/// <summary>Input the tool cannot use; each line is printed as one error, and the exit code is 2.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message)
        : this(new[] { message })
    {
    }

    /// <param name="lines">The errors, one per line.</param>
    /// <param name="compilerFormat">True when the lines are compiler diagnostics ("file(line,col): error NG0006: ..."), printed as they are.</param>
    public CliException(IReadOnlyList<string> lines, bool compilerFormat = false)
        : base(string.Join(Environment.NewLine, lines))
    {
        Lines = lines;
        CompilerFormat = compilerFormat;
    }

    public IReadOnlyList<string> Lines { get; }

    public bool CompilerFormat { get; }
}
