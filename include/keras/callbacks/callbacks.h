// Every built-in callback (keras.callbacks).
#pragma once

#include "keras/callbacks/backup_and_restore.h"
#include "keras/callbacks/callback.h"
#include "keras/callbacks/callback_list.h"
#include "keras/callbacks/csv_logger.h"
#include "keras/callbacks/early_stopping.h"
#include "keras/callbacks/lambda_callback.h"
#include "keras/callbacks/learning_rate_scheduler.h"
#include "keras/callbacks/model_checkpoint.h"
#include "keras/callbacks/progbar.h"
#include "keras/callbacks/progbar_logger.h"
#include "keras/callbacks/reduce_lr_on_plateau.h"
#include "keras/callbacks/saver.h"
#include "keras/callbacks/swap_ema_weights.h"
#include "keras/callbacks/tensorboard.h"
#include "keras/callbacks/terminate_on_nan.h"
