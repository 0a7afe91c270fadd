package io.consort.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.ServiceLevel;
import org.junit.jupiter.api.Test;

class ChatCommandTest {
    @Test
    void sendKeepsTheRestOfTheLineAsText() {
        assertThat(ChatCommand.parse("s chat  hello   world "))
                .isEqualTo(new ChatCommand.Send(ServiceLevel.AGREED, "chat", "hello   world"));
        assertThat(ChatCommand.parse("m safe chat a b"))
                .isEqualTo(new ChatCommand.Send(ServiceLevel.SAFE, "chat", "a b"));
        assertThat(ChatCommand.parse("m Causal chat x"))
                .isEqualTo(new ChatCommand.Send(ServiceLevel.CAUSAL, "chat", "x"));
        assertThat(ChatCommand.parse("u #bob#localhost hi there"))
                .isEqualTo(new ChatCommand.Send(ServiceLevel.AGREED, "#bob#localhost", "hi there"));
    }

    @Test
    void simpleCommands() {
        assertThat(ChatCommand.parse("j chat")).isEqualTo(new ChatCommand.Join("chat"));
        assertThat(ChatCommand.parse("  l chat")).isEqualTo(new ChatCommand.Leave("chat"));
        assertThat(ChatCommand.parse("q")).isEqualTo(new ChatCommand.Quit());
        assertThat(ChatCommand.parse("h")).isEqualTo(new ChatCommand.Help());
        assertThat(ChatCommand.parse("   ")).isEqualTo(new ChatCommand.Nothing());
    }

    @Test
    void malformedLinesSayWhatIsExpected() {
        assertThatThrownBy(() -> ChatCommand.parse("j")).hasMessage("usage: j <group>");
        assertThatThrownBy(() -> ChatCommand.parse("s chat")).hasMessage("usage: s <group> <text>");
        assertThatThrownBy(() -> ChatCommand.parse("m loud chat hi")).hasMessageStartingWith("unknown level 'loud'");
        assertThatThrownBy(() -> ChatCommand.parse("u bob hi")).hasMessageContaining("#user#daemon");
        assertThatThrownBy(() -> ChatCommand.parse("x")).hasMessageStartingWith("unknown command 'x'");
    }
}
