package corpus

import (
	"context"
	"os"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/openai/openai-go"
	goopenai "github.com/sashabaranov/go-openai"
	"github.com/spf13/viper"
)

func models(ctx context.Context, question string) {
	c := goopenai.NewClient(os.Getenv("OPENAI_API_KEY"))
	c.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{Messages: []goopenai.ChatCompletionMessage{{Content: question}}})
	c.CreateChatCompletionStream(ctx, goopenai.ChatCompletionRequest{})
	c.CreateEmbeddings(ctx, goopenai.EmbeddingRequest{Input: []string{question}})
	o := openai.NewClient()
	o.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Messages: nil})
	o.Responses.New(ctx, openai.ResponseNewParams{Input: nil})
	a := anthropic.NewClient()
	a.Messages.New(ctx, anthropic.MessageNewParams{Messages: nil})
	if v, ok := os.LookupEnv("MODEL"); ok {
		_ = v
	}
	_ = viper.GetString("orders.url")
}
