/* The shell's file commands: ls, cat, stat, mounts, cache (fs_commands.c). */
#ifndef SHELL_FS_COMMANDS_H
#define SHELL_FS_COMMANDS_H

void cmd_ls(int argc, char **argv);
void cmd_cat(int argc, char **argv);
void cmd_stat(int argc, char **argv);
void cmd_mounts(int argc, char **argv);
void cmd_cache(int argc, char **argv);

#endif
