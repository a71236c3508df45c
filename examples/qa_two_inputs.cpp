// The guide's two-input question answering model: the text and the question are each embedded
// and encoded by an LSTM, concatenated, and a softmax picks one of 500 answers.
//
//   text_input = Input(shape=(100,), dtype='int32', name='text')
//   embedded_text = layers.Embedding(text_vocabulary_size, 64)(text_input)
//   encoded_text = layers.LSTM(32)(embedded_text)
//   question_input = Input(shape=(100,), dtype='int32', name='question')
//   embedded_question = layers.Embedding(question_vocabulary_size, 32)(question_input)
//   encoded_question = layers.LSTM(16)(embedded_question)
//   concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
//   answer = layers.Dense(answer_vocabulary_size, activation='softmax')(concatenated)
//   model = Model([text_input, question_input], answer)
//   model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['acc'])
//   model.fit([text, question], answers, epochs=10, batch_size=128)
//   model.fit({'text': text, 'question': question}, answers, epochs=10, batch_size=128)
//
// Usage: qa_two_inputs [samples] [epochs]
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>

namespace layers = keras::layers;

int main(int argc, char** argv) {
  const int64_t num_samples = argc > 1 ? std::atoll(argv[1]) : 1000;
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 2;
  const int64_t text_vocabulary_size = 10000, question_vocabulary_size = 10000;
  const int64_t answer_vocabulary_size = 500, max_length = 100;
  keras::utils::set_random_seed(1);

  auto text_input = keras::Input({max_length}, {.dtype = keras::int32, .name = "text"});
  auto embedded_text = layers::Embedding(text_vocabulary_size, 64)(text_input);
  auto encoded_text = layers::LSTM(32)(embedded_text);
  auto question_input = keras::Input({max_length}, {.dtype = keras::int32, .name = "question"});
  auto embedded_question = layers::Embedding(question_vocabulary_size, 32)(question_input);
  auto encoded_question = layers::LSTM(16)(embedded_question);
  auto concatenated = layers::concatenate({encoded_text, encoded_question}, {.axis = -1});
  auto answer = layers::Dense(answer_vocabulary_size, {.activation = "softmax"})(concatenated);
  keras::Model model({text_input, question_input}, answer);
  model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy", .metrics = {"acc"}});
  model.summary();

  keras::Tensor text = keras::random::randint({num_samples, max_length}, 1, text_vocabulary_size);
  keras::Tensor question =
      keras::random::randint({num_samples, max_length}, 1, question_vocabulary_size);
  keras::Tensor answers = keras::random::randint({num_samples}, 0, answer_vocabulary_size);
  answers = keras::utils::to_categorical(answers, answer_vocabulary_size);  // one-hot answers

  // Fit with a list of inputs ...
  model.fit({text, question}, answers, {.epochs = epochs, .batch_size = 128});
  // ... and with a dict of inputs keyed by the Input names.
  auto history = model.fit({{"text", text}, {"question", question}}, answers,
                           {.epochs = epochs, .batch_size = 128});
  std::printf("final loss: %.4f, acc: %.4f\n", history.history.at("loss").back(),
              history.history.at("acc").back());
  return 0;
}
