<?php

namespace Drupal\job_board\Plugin\Block;

use Drupal\Core\Annotation\Translation;
use Drupal\Core\Block\Annotation\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Url;

/**
 * Invites visitors to browse openings and sign up for job alerts.
 *
 * @Block(
 *   id = "job_board_alert_signup",
 *   admin_label = @Translation("Job alert signup"),
 *   category = @Translation("Job board")
 * )
 */
class JobAlertSignupBlock extends BlockBase {

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration() {
    return [
      'intro' => 'New positions are posted every week. Create an account to hear about them first.',
    ];
  }

  /**
   * {@inheritdoc}
   */
  public function blockForm($form, FormStateInterface $form_state) {
    $form['intro'] = [
      '#type' => 'textarea',
      '#title' => $this->t('Introduction'),
      '#default_value' => $this->configuration['intro'],
      '#rows' => 3,
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function blockSubmit($form, FormStateInterface $form_state) {
    $this->configuration['intro'] = $form_state->getValue('intro');
  }

  /**
   * {@inheritdoc}
   */
  public function build() {
    return [
      'intro' => [
        '#type' => 'html_tag',
        '#tag' => 'p',
        '#value' => $this->configuration['intro'],
      ],
      'links' => [
        '#theme' => 'item_list',
        '#items' => [
          [
            '#type' => 'link',
            '#title' => $this->t('Browse all openings'),
            '#url' => Url::fromRoute('job_board.listing'),
          ],
          [
            '#type' => 'link',
            '#title' => $this->t('Create an account'),
            '#url' => Url::fromRoute('user.register'),
          ],
        ],
      ],
    ];
  }

}
